import FashionData
import Foundation
import Testing
import _TestSupport

/// JPEG through libjpeg-turbo: grayscale and colour read back close to what was encoded (JPEG
/// is lossy), sizes checked before decoding, damaged files refused with the file named.
@Suite(.timeLimit(.minutes(10))) struct JPEGDecoderTests {
    static func smooth(width: Int, height: Int, channels: Int) -> [UInt8] {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels.append(UInt8((x * 255 / max(1, width - 1) + y * 3 + c * 40) % 256)) }
            }
        }
        return pixels
    }

    @Test(arguments: [1, 3])
    func decodesWhatWasEncodedWithinJPEGsLoss(channels: Int) throws {
        let pixels = Self.smooth(width: 40, height: 24, channels: channels)
        let file = TestJPEG.encode(width: 40, height: 24, channels: channels, pixels: pixels, quality: 98)
        #expect(PhotoDecoder.kind(of: file) == .jpeg)
        #expect(PhotoDecoder.declaredSize(file)! == (40, 24))
        let image = try PhotoDecoder.decode(file, path: "a.jpg")
        #expect(image.width == 40 && image.height == 24 && image.channels == channels)
        let worst = zip(image.pixels, pixels).map { abs(Int($0) - Int($1)) }.max() ?? 999
        #expect(worst <= 12, "largest difference \(worst)")
        let mean = Double(zip(image.pixels, pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(pixels.count)
        #expect(mean < 2)
    }

    @Test func aHugeDeclaredSizeIsRefusedBeforeDecoding() throws {
        var file = TestJPEG.encode(
            width: 16, height: 16, channels: 1, pixels: Self.smooth(width: 16, height: 16, channels: 1))
        // The baseline frame header (FF C0): length, precision, then height and width.
        let sof = try #require((0..<(file.count - 1)).first { file[$0] == 0xFF && file[$0 + 1] == 0xC0 })
        file.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])  // 60000 x 60000
        #expect(PhotoDecoder.declaredSize(file)! == (60000, 60000))
        #expect {
            _ = try PhotoDecoder.decode(file, path: "big.jpg", maxPixels: 1 << 24)
        } throws: { "\($0)".contains("big.jpg") && "\($0)".contains("declares 60000x60000 pixels") }
        #expect {
            _ = try JPEGDecoder.decode(file, path: "big.jpg")
        } throws: { "\($0)".contains("at most 67 million pixels, found 60000x60000") }
    }

    @Test func damagedFilesAreRefusedAndNamed() throws {
        let file = TestJPEG.encode(
            width: 16, height: 16, channels: 3, pixels: Self.smooth(width: 16, height: 16, channels: 3))
        #expect {
            _ = try PhotoDecoder.decode(Array(file.prefix(20)), path: "cut.jpg")
        } throws: { "\($0)".hasPrefix("cut.jpg") }
        #expect {
            _ = try PhotoDecoder.decode([0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 1, 2, 3], path: "junk.jpg")
        } throws: { "\($0)".contains("junk.jpg") && "\($0)".contains("JPEG header") }
        #expect {
            _ = try PhotoDecoder.decode(Array("GIF89a".utf8), path: "x.gif")
        } throws: { "\($0)".contains("expected a PNG or JPEG photo") }
        // Bytes flipped inside the compressed data: an answer or a clear error, never a crash.
        for position in stride(from: file.count / 3, to: file.count - 2, by: 7) {
            var damaged = file
            damaged[position] ^= 0x5A
            if let image = try? PhotoDecoder.decode(damaged, path: "d.jpg") {
                #expect(image.pixels.count == 16 * 16 * image.channels)
            }
        }
    }
}
