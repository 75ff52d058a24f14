import Foundation
import FuzzDriver
import Tuning

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-space-\(getpid()).json")

func fuzz(_ bytes: [UInt8]) {
    guard (try? Data(bytes).write(to: file)) != nil else { return }
    if let space = try? SearchSpace.read(from: file) {
        // The grid is listed whole: its size must be refused before that.
        _ = try? SamplerKind.grid.makeSampler(space: space, seed: 1).propose(number: 0, history: [])
        _ = try? SamplerKind.random.makeSampler(space: space, seed: 1).propose(number: 0, history: [])
    }
}

@_cdecl("fuzz_space_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
