import FashionData

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? PhotoDecoder.decode(bytes, path: "fuzz", maxPixels: 1 << 22) {
        _ = ImagePreparation.letterbox(image, rows: 16, columns: 16, channels: 1)
    }
    return 0
}

// SwiftPM links an executable's entry point as `fuzz_jpeg_main`; it hands the run to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("fuzz_jpeg_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var values = argv
    return runFuzzer(&count, &values, testOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { data.map { fuzz($0, size) } ?? 0 }
