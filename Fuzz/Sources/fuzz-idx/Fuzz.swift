import FashionData
import FuzzDriver

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ bytes: [UInt8]) {
    for dimensions in 1...3 { _ = try? IDX.parse(bytes, path: "fuzz", expectedDimensions: dimensions) }
}

@_cdecl("fuzz_idx_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
