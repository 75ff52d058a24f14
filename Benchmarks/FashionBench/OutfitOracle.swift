import ClassificationMetrics
import FashionData
import Foundation
import Inference
import Studies

/// The outfit benchmark's oracle: it knows the grid (which cells hold an item, from
/// `cells.csv`) and runs a single-label classifier on each filled cell; a tag's probability is
/// that of at least one cell showing it, 1 − Π (1 − p_cell). Its thresholds are 0.5 (the
/// classifier saw no outfit); mean average precision does not depend on them.
enum OutfitOracle {
    static func run(modelPath: String, folder: String) throws {
        let root = URL(fileURLWithPath: folder)
        let dataset = try Dataset.load(from: DatasetLocator.locate(explicit: root))
        let classifier = try Classifier(contentsOf: URL(fileURLWithPath: modelPath))
        guard dataset.isMultiLabel, dataset.test.rows == Outfits.side, dataset.test.columns == Outfits.side,
            classifier.classCount == dataset.classCount, classifier.preprocessing.image.height == Outfits.cellSide
        else {
            throw DataError.invalidArgument(
                name: "oracle", reason: "needs the outfit benchmark and a 28x28 classifier of its classes")
        }
        let cells = try String(contentsOf: root.appendingPathComponent("cells.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().filter { $0.hasPrefix("test,") }
            .map { $0.split(separator: ",").dropFirst(2).map { (Int($0) ?? -1) >= 0 } }
        guard cells.count == dataset.test.count else {
            throw DataError.invalidArgument(name: "oracle", reason: "cells.csv does not match the test manifest")
        }
        // Every filled cell of every test outfit, 28x28, in order.
        var pixels = [UInt8]()
        var owners = [Int]()
        let side = Outfits.side
        let cell = Outfits.cellSide
        for (outfit, filled) in cells.enumerated() {
            let image = Array(dataset.test.image(at: outfit))
            for (index, isFilled) in filled.enumerated() where isFilled {
                let top = (index / 2) * cell
                let left = (index % 2) * cell
                for row in 0..<cell {
                    pixels += image[((top + row) * side + left)..<((top + row) * side + left + cell)]
                }
                owners.append(outfit)
            }
        }
        let start = Date()
        let probabilities = try classifier.probabilities(pixels: pixels, count: owners.count)
        let seconds = Date().timeIntervalSince(start)
        let tags = dataset.classCount
        var none = [Double](repeating: 1, count: dataset.test.count * tags)
        for (position, outfit) in owners.enumerated() {
            for tag in 0..<tags { none[outfit * tags + tag] *= 1 - Double(probabilities[position * tags + tag]) }
        }
        let scores = none.map { Float(1 - $0) }
        let metrics = MultiLabelMetrics(truth: dataset.test.tags!, scores: scores, tagCount: tags)
        print(
            String(
                format:
                    "oracle\tmAP %.4f\tsubset accuracy %.4f\tmicro F1 %.4f\tmacro F1 %.4f\t%d cells in %.1f s",
                metrics.meanAveragePrecision, metrics.subsetAccuracy, metrics.microF1, metrics.macroF1, owners.count,
                seconds))
    }
}
