import _CTurboJPEG

/// Reads JPEG files through libjpeg-turbo (Debian's libturbojpeg0-dev): baseline and
/// progressive, grayscale stays grayscale, colour becomes RGB. The header is read first, so a
/// size limit holds before any pixel memory is taken; progressive files are decoded with
/// libjpeg-turbo's scan limit (a crafted file cannot make it work for minutes).
public enum JPEGDecoder {
    /// Whether `bytes` start as a JPEG file does (SOI, then a marker).
    public static func isJPEG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xFF, 0xD8, 0xFF]) }

    /// The width and height the header declares, read without decoding; nil if it cannot be read.
    public static func declaredSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard let header = try? header(bytes, path: "") else { return nil }
        return (header.width, header.height)
    }

    /// Width, height and whether the picture is in colour, from the header; nil if unreadable.
    public static func header(_ bytes: [UInt8]) -> (width: Int, height: Int, isColour: Bool)? {
        guard let header = try? header(bytes, path: "") else { return nil }
        return (header.width, header.height, header.colorspace != Int32(TJCS_GRAY.rawValue))
    }

    public static func decode(_ bytes: [UInt8], path: String) throws(DataError) -> RasterImage {
        let header = try header(bytes, path: path)
        guard header.width <= 1 << 15, header.height <= 1 << 15, header.width * header.height <= 1 << 26 else {
            throw .invalidImage(
                path: path,
                reason:
                    "expected a size between 1x1 and 32768x32768 with at most 67 million pixels, found "
                    + "\(header.width)x\(header.height)")
        }
        let gray = header.colorspace == Int32(TJCS_GRAY.rawValue)
        let channels = gray ? 1 : 3
        let format = gray ? TJPF_GRAY : TJPF_RGB
        guard let handle = tjInitDecompress() else {
            throw .invalidImage(path: path, reason: "libjpeg-turbo could not start a decoder")
        }
        defer { tjDestroy(handle) }
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        let status = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(
                    handle, source.baseAddress, UInt(source.count), target.baseAddress, Int32(header.width),
                    Int32(header.width * channels), Int32(header.height), Int32(format.rawValue),
                    TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS)
            }
        }
        if status != 0 {
            // A warning (a truncated file, say) still fills the picture; an error does not.
            let message = String(cString: tjGetErrorStr2(handle))
            if tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) {
                throw .invalidImage(path: path, reason: "libjpeg-turbo could not decode it: \(message)")
            }
        }
        return RasterImage(width: header.width, height: header.height, channels: channels, pixels: pixels)
    }

    private struct Header {
        let width: Int
        let height: Int
        let colorspace: Int32
    }

    private static func header(_ bytes: [UInt8], path: String) throws(DataError) -> Header {
        guard isJPEG(bytes) else {
            throw .invalidImage(path: path, reason: "expected a JPEG file (it starts with FF D8 FF)")
        }
        guard let handle = tjInitDecompress() else {
            throw .invalidImage(path: path, reason: "libjpeg-turbo could not start a decoder")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let status = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard status == 0 else {
            throw .invalidImage(
                path: path, reason: "its JPEG header cannot be read: \(String(cString: tjGetErrorStr2(handle)))")
        }
        guard width > 0, height > 0 else {
            throw .invalidImage(path: path, reason: "the JPEG header declares \(width)x\(height) pixels")
        }
        guard colorspace != Int32(TJCS_CMYK.rawValue), colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw .invalidImage(path: path, reason: "CMYK JPEG files are not supported; save it as RGB")
        }
        return Header(width: Int(width), height: Int(height), colorspace: colorspace)
    }
}
