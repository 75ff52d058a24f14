import FashionData
import Foundation
import Reports
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct CanvasTests {
    @Test func textInksOnlyInsideItsBox() {
        var canvas = Canvas(width: 40, height: 20, background: .white)
        canvas.drawText("Hi", x: 2, y: 3, colour: .black)
        var inked = [(Int, Int)]()
        for y in 0..<20 { for x in 0..<40 where canvas.colour(atX: x, y: y) == .black { inked.append((x, y)) } }
        #expect(!inked.isEmpty)
        #expect(
            inked.allSatisfy {
                $0.0 >= 2 && $0.0 < 2 + FixedFont.width(of: "Hi") && $0.1 >= 3 && $0.1 < 3 + FixedFont.glyphHeight
            })
    }

    @Test func scaledTextIsTheGlyphBlownUp() {
        var small = Canvas(width: 6, height: 13, background: .white)
        var large = Canvas(width: 18, height: 39, background: .white)
        small.drawText("A", x: 0, y: 0, colour: .black)
        large.drawText("A", x: 0, y: 0, colour: .black, scale: 3)
        for y in 0..<39 {
            for x in 0..<18 { #expect(large.colour(atX: x, y: y) == small.colour(atX: x / 3, y: y / 3)) }
        }
    }

    @Test func drawingOffTheCanvasIsClipped() {
        var canvas = Canvas(width: 4, height: 4, background: .white)
        canvas.fill(x: -10, y: 2, width: 100, height: 100, colour: .black)
        canvas.drawText("long text far away", x: 2, y: 2)
        #expect(canvas.colour(atX: 0, y: 0) == .white)
        #expect(canvas.colour(atX: 3, y: 3) == .black)
    }
}

@Suite(.timeLimit(.minutes(10))) struct SampleSpriteTests {
    @Test func spriteHasARowPerClassAndWritesAValidPNG() throws {
        let image = ArraySlice<UInt8>(repeating: 200, count: 4)
        let sprite = SampleSprite(
            title: "t",
            rows: (0..<3).map { SampleSprite.Row(label: "class \($0)", images: Array(repeating: image, count: 5)) },
            imageRows: 2, imageColumns: 2, scale: 3)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("out/sprite.png")
        try sprite.writePNG(to: url)
        let decoded = try PNGDecoder.decode([UInt8](Data(contentsOf: url)), path: url.path)
        let canvas = sprite.render()
        #expect(decoded.width == canvas.width && decoded.height == canvas.height)
        #expect(decoded.pixels == canvas.pixels)
        // No temporary file is left beside the result.
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.file("out").path) == ["sprite.png"])
        // 15 images of 6x6 pixels of gray 200 appear on the canvas.
        let grayPixels = (0..<canvas.height).flatMap { y in (0..<canvas.width).map { canvas.colour(atX: $0, y: y) } }
            .filter { $0 == Colour(200, 200, 200) }.count
        #expect(grayPixels == 15 * 36)
    }
}
