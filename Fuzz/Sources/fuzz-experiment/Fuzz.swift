import Foundation
import Studies

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-experiment-\(getpid()).json")

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard (try? Data(bytes: data, count: size).write(to: file)) != nil else { return 0 }
    if let experiment = try? Experiment.read(from: file) {
        for model in experiment.models { _ = try? experiment.resolve(model) }
    }
    return 0
}

// SwiftPM links an executable's entry point as `fuzz_experiment_main`; it hands the run to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("fuzz_experiment_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var values = argv
    return runFuzzer(&count, &values, testOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { data.map { fuzz($0, size) } ?? 0 }
