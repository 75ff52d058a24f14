import FashionData
import FuzzDriver

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ bytes: [UInt8]) {
    if let image = try? PNGDecoder.decode(bytes, path: "fuzz") {
        // What predict and folder datasets do next with a picture.
        _ = ImagePreparation.prepare(image, rows: 28, columns: 28)
        _ = ImagePreparation.letterbox(image, rows: 12, columns: 9, channels: 3)
    }
    _ = PhotoDecoder.header(bytes)
}

@_cdecl("fuzz_png_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
