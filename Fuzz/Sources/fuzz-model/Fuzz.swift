import FuzzDriver
import NeuralNet

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ bytes: [UInt8]) {
    _ = try? ModelFile.decode(bytes, path: "fuzz")
}

@_cdecl("fuzz_model_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
