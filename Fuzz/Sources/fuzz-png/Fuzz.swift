import FashionData

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? PNGDecoder.decode(bytes, path: "fuzz") {
        // What predict and folder datasets do next with a picture.
        _ = ImagePreparation.prepare(image, rows: 28, columns: 28)
        _ = ImagePreparation.letterbox(image, rows: 12, columns: 9, channels: 3)
    }
    _ = PhotoDecoder.header(bytes)
    return 0
}

// SwiftPM links an executable's entry point as `fuzz_png_main`; it hands the run to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("fuzz_png_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var values = argv
    return runFuzzer(&count, &values, testOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { data.map { fuzz($0, size) } ?? 0 }
