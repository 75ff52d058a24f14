import Foundation
import Tuning

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-space-\(getpid()).json")

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard (try? Data(bytes: data, count: size).write(to: file)) != nil else { return 0 }
    if let space = try? SearchSpace.read(from: file) {
        // The grid is listed whole: its size must be refused before that.
        _ = try? SamplerKind.grid.makeSampler(space: space, seed: 1).propose(number: 0, history: [])
        _ = try? SamplerKind.random.makeSampler(space: space, seed: 1).propose(number: 0, history: [])
    }
    return 0
}

// SwiftPM links an executable's entry point as `fuzz_space_main`; it hands the run to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("fuzz_space_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var values = argv
    return runFuzzer(&count, &values, testOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { data.map { fuzz($0, size) } ?? 0 }
