import FashionData
import Testing

@Suite(.timeLimit(.minutes(10))) struct ImagePreparationTests {
    /// A dark 40x20 rectangle on a white 100x60 RGB picture, off centre.
    func productPhoto() -> RasterImage {
        var pixels = [UInt8](repeating: 255, count: 100 * 60 * 3)
        for y in 5..<25 { for x in 50..<90 { for c in 0..<3 { pixels[(y * 100 + x) * 3 + c] = 30 } } }
        return RasterImage(width: 100, height: 60, channels: 3, pixels: pixels)
    }

    @Test func darkOnLightIsInvertedTrimmedScaledAndCentred() {
        let out = ImagePreparation.prepare(productPhoto())
        #expect(out.count == 784)
        let bright = out.indices.filter { out[$0] > 128 }
        let xs = bright.map { $0 % 28 }
        let ys = bright.map { $0 / 28 }
        // 40x20 scaled to 28x14, centred vertically: rows 7...20, all columns.
        #expect(xs.min() == 0 && xs.max() == 27)
        #expect(ys.min() == 7 && ys.max() == 20)
        #expect(out[0] == 0 && out[783] == 0)
        #expect(out[14 * 28 + 14] == 225)  // 255 - 30
    }

    @Test func lightOnDarkStaysAsItIs() {
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        for y in 9..<19 { for x in 4..<24 { pixels[y * 28 + x] = 200 } }  // 20 wide, 10 high
        let out = ImagePreparation.prepare(RasterImage(width: 28, height: 28, channels: 1, pixels: pixels))
        #expect(out[14 * 28 + 14] == 200)
        #expect(out[0] == 0)
    }

    @Test func transparentPixelsAreWhiteBackground() {
        // RGBA: fully transparent everywhere but an opaque black bar.
        var pixels = [UInt8](repeating: 0, count: 10 * 10 * 4)
        for y in 4..<6 { for x in 3..<7 { pixels[(y * 10 + x) * 4 + 3] = 255 } }  // 4 wide, 2 high
        let out = ImagePreparation.prepare(RasterImage(width: 10, height: 10, channels: 4, pixels: pixels))
        #expect(out[14 * 28 + 14] == 255)
        #expect(out[0] == 0)
    }
}
