/// Decodes a photo by its content, PNG or JPEG, after checking the size its header declares
/// against `maxPixels`: a file that claims a huge picture is refused before any pixel memory
/// is taken.
public enum PhotoDecoder {
    /// The picture formats read, recognised by their content rather than their name.
    public enum Kind: String, Sendable {
        case png = "PNG"
        case jpeg = "JPEG"
    }

    /// The format of `bytes` by their first bytes, or nil.
    public static func kind(of bytes: [UInt8]) -> Kind? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if JPEGDecoder.isJPEG(bytes) { return .jpeg }
        return nil
    }

    /// The width and height the file's header declares, or nil for a file that is neither
    /// PNG nor JPEG or whose header cannot be read.
    public static func declaredSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        switch kind(of: bytes) {
        case .png: return PNGDecoder.declaredSize(bytes)
        case .jpeg: return JPEGDecoder.declaredSize(bytes)
        case nil: return nil
        }
    }

    /// Width, height and whether the picture is in colour, from the header alone.
    public static func header(_ bytes: [UInt8]) -> (width: Int, height: Int, isColour: Bool)? {
        switch kind(of: bytes) {
        case .png:
            guard let size = PNGDecoder.declaredSize(bytes), bytes.count > 25 else { return nil }
            return (size.width, size.height, bytes[25] != 0 && bytes[25] != 4)
        case .jpeg: return JPEGDecoder.header(bytes)
        case nil: return nil
        }
    }

    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = 1 << 26) throws(DataError)
        -> RasterImage
    {
        guard let kind = kind(of: bytes) else {
            throw .invalidImage(path: path, reason: "expected a PNG or JPEG photo (by its first bytes)")
        }
        if let size = declaredSize(bytes) {
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            guard !overflow, pixels <= maxPixels else {
                throw .invalidImage(
                    path: path,
                    reason: "it declares \(size.width)x\(size.height) pixels; at most \(maxPixels) are taken a photo")
            }
        }
        switch kind {
        case .png: return try PNGDecoder.decode(bytes, path: path)
        case .jpeg: return try JPEGDecoder.decode(bytes, path: path)
        }
    }
}
