import FashionData
import FuzzDriver

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ bytes: [UInt8]) {
    _ = try? CSV.parse(bytes, path: "fuzz")
    _ = try? CSV.parse(bytes, path: "fuzz", rows: 2, columns: 2)
}

@_cdecl("fuzz_csv_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
