import FashionData
import FuzzDriver

// Each input once through the parser: it must answer or throw, never trap, hang or allocate without bound.
func fuzz(_ bytes: [UInt8]) {
    if let image = try? PhotoDecoder.decode(bytes, path: "fuzz", maxPixels: 1 << 22) {
        _ = ImagePreparation.letterbox(image, rows: 16, columns: 16, channels: 1)
    }
}

@_cdecl("fuzz_jpeg_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
