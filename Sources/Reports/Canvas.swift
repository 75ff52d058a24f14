/// A raster picture being drawn: `[height, width, 3]` bytes, row-major RGB. Drawing outside
/// the canvas is clipped, never an error.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Colour = .paper) {
        self.width = max(0, width)
        self.height = max(0, height)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        fill(x: 0, y: 0, width: width, height: height, colour: background)
    }

    public func colour(atX x: Int, y: Int) -> Colour {
        let o = (y * width + x) * 3
        return Colour(pixels[o], pixels[o + 1], pixels[o + 2])
    }

    public mutating func set(x: Int, y: Int, _ colour: Colour) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        pixels[o] = colour.red
        pixels[o + 1] = colour.green
        pixels[o + 2] = colour.blue
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, colour: Colour) {
        for row in max(0, y)..<max(max(0, y), min(height, y + h)) {
            for column in max(0, x)..<max(max(0, x), min(width, x + w)) {
                set(x: column, y: row, colour)
            }
        }
    }

    /// A rectangle's outline, `thickness` pixels wide, drawn inside the rectangle.
    public mutating func stroke(x: Int, y: Int, width w: Int, height h: Int, colour: Colour, thickness: Int = 1) {
        fill(x: x, y: y, width: w, height: thickness, colour: colour)
        fill(x: x, y: y + h - thickness, width: w, height: thickness, colour: colour)
        fill(x: x, y: y, width: thickness, height: h, colour: colour)
        fill(x: x + w - thickness, y: y, width: thickness, height: h, colour: colour)
    }

    /// Draws a grayscale (`channels` 1) or RGB (3) image, row-major, with its top-left corner
    /// at (x, y), each pixel enlarged to a `scale` x `scale` block.
    public mutating func drawGrayscale(
        _ image: some Collection<UInt8>, rows: Int, columns: Int, x: Int, y: Int, scale: Int = 1, channels: Int = 1
    ) {
        if channels == 3 {
            let values = Array(image)
            for row in 0..<rows {
                for column in 0..<columns {
                    let o = (row * columns + column) * 3
                    guard o + 2 < values.count else { return }
                    fill(
                        x: x + column * scale, y: y + row * scale, width: scale, height: scale,
                        colour: Colour(values[o], values[o + 1], values[o + 2]))
                }
            }
            return
        }
        var index = image.startIndex
        for row in 0..<rows {
            for column in 0..<columns {
                guard index != image.endIndex else { return }
                let value = image[index]
                image.formIndex(after: &index)
                fill(
                    x: x + column * scale, y: y + row * scale, width: scale, height: scale,
                    colour: Colour(value, value, value))
            }
        }
    }

    /// Writes `text` with its top-left corner at (x, y) in the 6x13 fixed font, each font
    /// pixel a `scale` x `scale` block. Characters outside printable ASCII show as '?'.
    public mutating func drawText(_ text: String, x: Int, y: Int, colour: Colour = .ink, scale: Int = 1) {
        var penX = x
        for character in text.unicodeScalars {
            let rows = FixedFont.rows(for: character)
            for (r, bits) in rows.enumerated() where bits != 0 {
                for c in 0..<FixedFont.glyphWidth where bits & (0x80 >> UInt8(c)) != 0 {
                    fill(x: penX + c * scale, y: y + r * scale, width: scale, height: scale, colour: colour)
                }
            }
            penX += FixedFont.glyphWidth * scale
        }
    }
}
