import FashionData
import Foundation

// fashion-bench: throughput measurements, run by `make bench` beside the Python peers.
// Prints one line per measurement: `name <tab> median seconds <tab> runs`.

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func time(_ runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var times = [Double]()
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times
}

let arguments = CommandLine.arguments.dropFirst()
let which = arguments.first ?? "load"
let runs = 7
do {
    switch which {
    case "load":
        let location = try DatasetLocator.locate()
        guard case let .idx(trainImages, trainLabels, _, _) = location.layout else {
            throw DataError.invalidArgument(name: "load", reason: "the benchmark needs the IDX files")
        }
        let train = try time(runs) { _ = try IDX.read(images: trainImages, labels: trainLabels) }
        print("load-train\t\(median(train))\t\(runs)")
        let all = try time(runs) { _ = try Dataset.load(from: location) }
        print("load-all\t\(median(all))\t\(runs)")
    default:
        print("unknown benchmark '\(which)'; known: load")
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
