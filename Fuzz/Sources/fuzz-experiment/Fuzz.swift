import Foundation
import FuzzDriver
import Studies

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-experiment-\(getpid()).json")

func fuzz(_ bytes: [UInt8]) {
    guard (try? Data(bytes).write(to: file)) != nil else { return }
    if let experiment = try? Experiment.read(from: file) {
        for model in experiment.models { _ = try? experiment.resolve(model) }
    }
}

@_cdecl("fuzz_experiment_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
