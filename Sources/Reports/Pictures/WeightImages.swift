import Foundation

/// A dense first layer's weights shown as images: unit j's column of the kernel reshaped to
/// the input image, blue for negative and red for positive, each scaled to its own maximum.
public struct WeightImages: Sendable {
    public let title: String
    public let kernel: [Float]
    public let inputRows: Int
    public let inputColumns: Int
    public let units: Int

    public init(title: String, kernel: [Float], inputRows: Int, inputColumns: Int, units: Int) {
        self.title = title
        self.kernel = kernel
        self.inputRows = inputRows
        self.inputColumns = inputColumns
        self.units = units
    }

    public func render() -> Canvas {
        let shown = min(units, 64)
        let perRow = 16
        let scale = 2
        let gap = 4
        let margin = 12
        let cellWidth = inputColumns * scale + gap
        let cellHeight = inputRows * scale + gap
        let top = margin + FixedFont.glyphHeight + 8
        var canvas = Canvas(
            width: 2 * margin + perRow * cellWidth, height: top + ((shown + perRow - 1) / perRow) * cellHeight + margin,
            background: .white)
        canvas.drawText(title + (units > shown ? " (the first \(shown) of \(units) units)" : ""), x: margin, y: margin)
        for unit in 0..<shown {
            let column = (0..<(inputRows * inputColumns)).map { kernel[$0 * units + unit] }
            let extent = max(1e-12, column.map { abs($0) }.max() ?? 1)
            let x0 = margin + (unit % perRow) * cellWidth
            let y0 = top + (unit / perRow) * cellHeight
            for (p, w) in column.enumerated() {
                let t = Double(w / extent)
                let colour =
                    t >= 0
                    ? Colour(255, UInt8(255 * (1 - t)), UInt8(255 * (1 - t)))
                    : Colour(UInt8(255 * (1 + t)), UInt8(255 * (1 + t)), 255)
                canvas.fill(
                    x: x0 + (p % inputColumns) * scale, y: y0 + (p / inputColumns) * scale, width: scale, height: scale,
                    colour: colour)
            }
        }
        return canvas
    }
}
