import FashionData
import Foundation
import Reports
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct PNGTests {
    @Test(arguments: [(1, 1), (3, 2), (28, 28), (5, 17)])
    func grayscaleRoundTrip(width: Int, height: Int) throws {
        let pixels = (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let file = PNGEncoder.encode(width: width, height: height, colourType: .grayscale, pixels: pixels)
        let image = try PNGDecoder.decode(file, path: "g.png")
        #expect(image == RasterImage(width: width, height: height, channels: 1, pixels: pixels))
    }

    @Test func rgbCanvasRoundTrip() throws {
        var canvas = Canvas(width: 9, height: 7, background: .white)
        canvas.fill(x: 2, y: 1, width: 3, height: 4, colour: Colour(10, 200, 30))
        let image = try PNGDecoder.decode(PNGEncoder.encode(canvas), path: "c.png")
        #expect(image.width == 9 && image.height == 7 && image.channels == 3)
        #expect(image.pixels == canvas.pixels)
        #expect(Array(image.pixels[((1 * 9 + 2) * 3)..<((1 * 9 + 2) * 3 + 3)]) == [10, 200, 30])
    }

    @Test func decoderReadsEveryFilterType() throws {
        // Rows filtered with None, Sub, Up, Average and Paeth, encoded by a plain reference
        // filter here, must decode to the original pixels.
        let width = 6
        let height = 5
        let channels = 3
        let stride = width * channels
        let pixels = (0..<(stride * height)).map { UInt8(truncatingIfNeeded: ($0 * $0) &+ 3 * $0) }
        var filtered = [UInt8]()
        for row in 0..<height {
            let filter = UInt8(row)  // row r uses filter r
            filtered.append(filter)
            for i in 0..<stride {
                let x = Int(pixels[row * stride + i])
                let a = i >= channels ? Int(pixels[row * stride + i - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + i]) : 0
                let c = (row > 0 && i >= channels) ? Int(pixels[(row - 1) * stride + i - channels]) : 0
                let p = a + b - c
                let paeth =
                    (abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c)) ? a : (abs(p - b) <= abs(p - c) ? b : c)
                let predictor = [0, a, b, (a + b) / 2, paeth][row]
                filtered.append(UInt8(truncatingIfNeeded: x - predictor))
            }
        }
        let file = PNGFile.assemble(width: width, height: height, colourType: 2, depth: 8, filteredRows: filtered)
        let image = try PNGDecoder.decode(file, path: "f.png")
        #expect(image.pixels == pixels)
    }

    @Test func decoderExpandsPalettesAndSubByteGray() throws {
        // 2-bit palette image, 4 pixels in one byte: indices 0, 1, 2, 1.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let file = PNGFile.assemble(
            width: 4, height: 1, colourType: 3, depth: 2, filteredRows: [0, 0b00_01_10_01], palette: palette)
        let image = try PNGDecoder.decode(file, path: "p.png")
        #expect(image.channels == 3)
        #expect(image.pixels == [255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 0])
        // 1-bit gray: 1 0 1 1 0 0 0 0 scales to 255 / 0.
        let gray = PNGFile.assemble(width: 8, height: 1, colourType: 0, depth: 1, filteredRows: [0, 0b1011_0000])
        #expect(try PNGDecoder.decode(gray, path: "g.png").pixels == [255, 0, 255, 255, 0, 0, 0, 0])
    }

    @Test func damagedFilesGetClearErrors() {
        let good = PNGEncoder.encode(width: 2, height: 2, colourType: .grayscale, pixels: [1, 2, 3, 4])
        let notPNG = Array("GIF89a....".utf8)
        let e1 = #expect(throws: DataError.self) { try PNGDecoder.decode(notPNG, path: "x.png") }
        #expect(e1?.description.hasPrefix("x.png: not a usable image: expected the PNG signature") == true)
        var flipped = good
        flipped[40] ^= 0xFF
        let e2 = #expect(throws: DataError.self) { try PNGDecoder.decode(flipped, path: "x.png") }
        #expect(e2?.description.contains("fails its CRC check") == true)
        let cut = Array(good.prefix(good.count - 20))
        #expect(throws: DataError.self) { try PNGDecoder.decode(cut, path: "x.png") }
    }

    @Test func interlacedFilesAreRefusedWithAReason() {
        let file = PNGFile.assemble(
            width: 1, height: 1, colourType: 0, depth: 8, filteredRows: [0, 0], interlaced: true)
        let error = #expect(throws: DataError.self) { try PNGDecoder.decode(file, path: "i.png") }
        #expect(error?.description.contains("interlaced (Adam7) PNG files are not supported") == true)
    }

    @Test(arguments: [(10, 8), (11, 1)])
    func headersWithAnUndefinedMethodAreRefused(byte: Int, value: UInt8) throws {
        var file = PNGEncoder.encode(width: 2, height: 2, colourType: .grayscale, pixels: [1, 2, 3, 4])
        // IHDR's data starts at byte 16; its CRC covers the type and data (bytes 12..<29).
        file[16 + byte] = value
        let crc = Checksums.crc32(Array(file[12..<29]))
        for i in 0..<4 { file[29 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        let error = #expect(throws: DataError.self) { try PNGDecoder.decode(file, path: "m.png") }
        #expect(error?.description.contains("PNG defines only 0 for both") == true)
    }
}

/// Assembles PNG files from already filtered rows, to test the decoder on what the encoder
/// never writes.
enum PNGFile {
    static func assemble(
        width: Int, height: Int, colourType: UInt8, depth: UInt8, filteredRows: [UInt8],
        palette: [UInt8]? = nil, interlaced: Bool = false
    ) -> [UInt8] {
        func be(_ v: Int) -> [UInt8] {
            [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(data.count) + body + be(Int(Checksums.crc32(body)))
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", be(width) + be(height) + [depth, colourType, 0, 0, interlaced ? 1 : 0])
        if let palette { file += chunk("PLTE", palette) }
        file += chunk("IDAT", Checksums.zlibCompress(filteredRows))
        file += chunk("IEND", [])
        return file
    }
}
