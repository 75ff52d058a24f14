import _CZlib

/// Writes PNG files (ISO/IEC 15948): 8-bit grayscale or RGB, not interlaced, each row
/// filtered with the "up" filter and the whole compressed with zlib.
public enum PNGEncoder {
    /// The PNG colour types written: grayscale and RGB.
    public enum ColourType: UInt8, Sendable {
        case grayscale = 0
        case rgb = 2

        var channels: Int { self == .grayscale ? 1 : 3 }
    }

    /// Encodes `pixels` (`[height, width, channels]`, row-major) as a PNG file.
    ///
    /// - Precondition: `pixels.count == width * height * channels`.
    public static func encode(width: Int, height: Int, colourType: ColourType, pixels: [UInt8]) -> [UInt8] {
        let stride = width * colourType.channels
        precondition(pixels.count == stride * height, "pixel buffer does not match the image size")
        var filtered = [UInt8]()
        filtered.reserveCapacity((stride + 1) * height)
        for row in 0..<height {
            filtered.append(row == 0 ? 0 : 2)  // none for the first row, then "up"
            let start = row * stride
            if row == 0 {
                filtered.append(contentsOf: pixels[start..<(start + stride)])
            } else {
                for i in 0..<stride { filtered.append(pixels[start + i] &- pixels[start - stride + i]) }
            }
        }
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, colourType.rawValue, 0, 0, 0]

        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        file += chunk("IDAT", deflate(filtered))
        file += chunk("IEND", [])
        return file
    }

    /// Encodes a canvas as an RGB PNG.
    public static func encode(_ canvas: Canvas) -> [UInt8] {
        encode(width: canvas.width, height: canvas.height, colourType: .rgb, pixels: canvas.pixels)
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var crc = crc32(0, nil, 0)
        crc = typeBytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(input.count), 6)
            }
        }
        // compress2 fails only without memory or with a too small buffer; compressBound
        // rules the latter out.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(output.prefix(Int(length)))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [
            UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }
}
