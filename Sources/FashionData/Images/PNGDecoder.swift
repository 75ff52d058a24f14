import _CZlib

/// Reads PNG files (ISO/IEC 15948): every colour type and bit depth of the standard, not
/// interlaced. 16-bit samples keep their high byte; palettes expand to RGB (RGBA when the
/// file has a transparency chunk).
public enum PNGDecoder {
    /// The width and height a PNG file's header declares, read without decoding anything
    /// (so a size limit can be applied before any allocation); nil if `bytes` does not start
    /// with a PNG signature and an IHDR chunk.
    public static func declaredSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8)
        else { return nil }
        return (Int(readUInt32(bytes, 16)), Int(readUInt32(bytes, 20)))
    }

    public static func decode(_ bytes: [UInt8], path: String) throws(DataError) -> RasterImage {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw .invalidImage(path: path, reason: "expected the PNG signature 89 50 4E 47 0D 0A 1A 0A at the start")
        }
        var offset = 8
        var header: [UInt8]?
        var palette = [UInt8]()
        var transparency = [UInt8]()
        var compressed = [UInt8]()
        while offset + 12 <= bytes.count {
            let length = Int(readUInt32(bytes, offset))
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard offset + 12 + length <= bytes.count else {
                throw .invalidImage(path: path, reason: "chunk \(type) needs \(length) bytes but the file ends first")
            }
            let data = bytes[(offset + 8)..<(offset + 8 + length)]
            let storedCRC = readUInt32(bytes, offset + 8 + length)
            let actualCRC = bytes.withUnsafeBufferPointer {
                UInt32(crc32(0, $0.baseAddress! + offset + 4, UInt32(length + 4)))
            }
            guard storedCRC == actualCRC else {
                throw .invalidImage(
                    path: path, reason: "chunk \(type) at byte \(offset) fails its CRC check (the file is damaged)")
            }
            switch type {
            case "IHDR": header = Array(data)
            case "PLTE": palette = Array(data)
            case "tRNS": transparency = Array(data)
            case "IDAT": compressed.append(contentsOf: data)
            default: break
            }
            offset += 12 + length
            if type == "IEND" { break }
        }
        guard let header, header.count == 13 else {
            throw .invalidImage(path: path, reason: "missing or malformed IHDR chunk")
        }
        let width = Int(readUInt32(header, 0))
        let height = Int(readUInt32(header, 4))
        let depth = Int(header[8])
        let colourType = Int(header[9])
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15, width * height <= 1 << 26 else {
            throw .invalidImage(
                path: path,
                reason:
                    "expected a size between 1x1 and 32768x32768 with at most 67 million pixels, found "
                    + "\(width)x\(height)"
            )
        }
        guard header[10] == 0, header[11] == 0 else {
            throw .invalidImage(
                path: path,
                reason:
                    "compression method \(header[10]) and filter method \(header[11]) in the header; PNG defines "
                    + "only 0 for both"
            )
        }
        guard header[12] == 0 else {
            throw .invalidImage(
                path: path, reason: "interlaced (Adam7) PNG files are not supported; save it without interlacing")
        }
        let samplesPerPixel: Int
        switch (colourType, depth) {
        case (0, 1), (0, 2), (0, 4), (0, 8), (0, 16): samplesPerPixel = 1
        case (2, 8), (2, 16): samplesPerPixel = 3
        case (3, 1), (3, 2), (3, 4), (3, 8): samplesPerPixel = 1
        case (4, 8), (4, 16): samplesPerPixel = 2
        case (6, 8), (6, 16): samplesPerPixel = 4
        default:
            throw .invalidImage(
                path: path, reason: "colour type \(colourType) with bit depth \(depth) is not valid PNG")
        }
        let bitsPerPixel = samplesPerPixel * depth
        let stride = (width * bitsPerPixel + 7) / 8
        let filterStep = max(1, bitsPerPixel / 8)
        let raw = try inflate(compressed, expected: (stride + 1) * height, path: path)
        guard raw.count >= (stride + 1) * height else {
            throw .invalidImage(
                path: path, reason: "image data holds \(raw.count) bytes, \((stride + 1) * height) expected")
        }
        let rows = try unfilter(raw, stride: stride, height: height, step: filterStep, path: path)
        return try expand(
            rows, width: width, height: height, depth: depth, colourType: colourType,
            palette: palette, transparency: transparency, path: path)
    }

    private static func readUInt32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }

    private static func inflate(_ input: [UInt8], expected: Int, path: String) throws(DataError) -> [UInt8] {
        guard !input.isEmpty else { throw .invalidImage(path: path, reason: "no image data (IDAT chunk)") }
        var output = [UInt8](repeating: 0, count: expected)
        var length = uLongf(expected)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                uncompress(target.baseAddress, &length, source.baseAddress, uLong(input.count))
            }
        }
        // Z_BUF_ERROR with a full buffer means trailing data, which is harmless.
        guard status == Z_OK || (status == Z_BUF_ERROR && Int(length) == expected) else {
            throw .invalidImage(path: path, reason: "corrupt compressed image data (zlib status \(status))")
        }
        return Array(output.prefix(Int(length)))
    }

    private static func unfilter(_ raw: [UInt8], stride: Int, height: Int, step: Int, path: String) throws(DataError)
        -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: stride * height)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            let src = row * (stride + 1) + 1
            let dst = row * stride
            for i in 0..<stride {
                let x = raw[src + i]
                let a = i >= step ? Int(out[dst + i - step]) : 0
                let b = row > 0 ? Int(out[dst - stride + i]) : 0
                let c = (row > 0 && i >= step) ? Int(out[dst - stride + i - step]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a)
                    let pb = abs(p - b)
                    let pc = abs(p - c)
                    predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default:
                    throw .invalidImage(path: path, reason: "row \(row) uses filter type \(filter); PNG defines 0...4")
                }
                out[dst + i] = x &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        return out
    }

    private static func expand(
        _ rows: [UInt8], width: Int, height: Int, depth: Int, colourType: Int,
        palette: [UInt8], transparency: [UInt8], path: String
    ) throws(DataError) -> RasterImage {
        let stride = rows.count / height
        // One sample (index or gray level) at position `i` of a row, scaled to 8 bits unless indexed.
        func sample(_ row: Int, _ i: Int, scaled: Bool) -> UInt8 {
            let base = row * stride
            switch depth {
            case 16: return rows[base + 2 * i]
            case 8: return rows[base + i]
            default:
                let perByte = 8 / depth
                let byte = rows[base + i / perByte]
                let shift = 8 - depth * (i % perByte + 1)
                let value = (byte >> UInt8(shift)) & UInt8((1 << depth) - 1)
                return scaled ? UInt8(Int(value) * 255 / ((1 << depth) - 1)) : value
            }
        }
        if colourType == 3 {
            guard !palette.isEmpty, palette.count % 3 == 0 else {
                throw .invalidImage(path: path, reason: "an indexed-colour PNG needs a palette (PLTE chunk)")
            }
            let channels = transparency.isEmpty ? 3 : 4
            var pixels = [UInt8]()
            pixels.reserveCapacity(width * height * channels)
            for row in 0..<height {
                for x in 0..<width {
                    let index = Int(sample(row, x, scaled: false))
                    guard index * 3 + 2 < palette.count else {
                        throw .invalidImage(
                            path: path,
                            reason: "pixel (\(x), \(row)) uses palette entry \(index) of \(palette.count / 3)")
                    }
                    pixels += palette[(index * 3)..<(index * 3 + 3)]
                    if channels == 4 { pixels.append(index < transparency.count ? transparency[index] : 255) }
                }
            }
            return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
        }
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][colourType] ?? 1
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * channels)
        for row in 0..<height {
            for i in 0..<(width * channels) { pixels.append(sample(row, i, scaled: true)) }
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
    }
}
