import Foundation

/// A reliability diagram: per confidence bin, the share of right predictions as a bar, with
/// the diagonal of perfect calibration; bins without predictions are left empty.
public struct ReliabilityDiagram: Sendable {
    public let title: String
    /// (lower, upper, count, accuracy) per bin, in order.
    public let bins: [(Double, Double, Int, Double)]

    public init(title: String, bins: [(Double, Double, Int, Double)]) {
        self.title = title
        self.bins = bins
    }

    public func render() -> Canvas {
        let size = 300, left = 50, top = 34, bottom = 40
        var canvas = Canvas(width: left + size + 20, height: top + size + bottom, background: .white)
        canvas.drawText(title, x: 10, y: 10)
        canvas.stroke(x: left, y: top, width: size + 1, height: size + 1, colour: Colour(160, 160, 160))
        for (lower, upper, count, accuracy) in bins where count > 0 {
            let x0 = left + Int(lower * Double(size)), x1 = left + Int(upper * Double(size))
            let h = Int(accuracy * Double(size))
            canvas.fill(x: x0 + 1, y: top + size - h, width: max(1, x1 - x0 - 1), height: h, colour: LineChart.palette[0])
        }
        canvas.drawLine(from: (left, top + size), to: (left + size, top), colour: LineChart.palette[3], thickness: 1)
        for tick in 0...4 {
            let value = Double(tick) / 4
            let label = String(format: "%.2f", value)
            canvas.drawText(label, x: 8, y: top + size - Int(value * Double(size)) - FixedFont.glyphHeight / 2)
            canvas.drawText(label, x: left + Int(value * Double(size)) - FixedFont.width(of: label) / 2, y: top + size + 6)
        }
        canvas.drawText("confidence (top probability); bars: accuracy", x: left, y: top + size + 22)
        return canvas
    }
}

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
        let shown = min(units, 64), perRow = 16, scale = 2, gap = 4, margin = 12
        let cellWidth = inputColumns * scale + gap, cellHeight = inputRows * scale + gap
        let top = margin + FixedFont.glyphHeight + 8
        var canvas = Canvas(width: 2 * margin + perRow * cellWidth, height: top + ((shown + perRow - 1) / perRow) * cellHeight + margin, background: .white)
        canvas.drawText(title + (units > shown ? " (the first \(shown) of \(units) units)" : ""), x: margin, y: margin)
        for unit in 0..<shown {
            let column = (0..<(inputRows * inputColumns)).map { kernel[$0 * units + unit] }
            let extent = max(1e-12, column.map { abs($0) }.max() ?? 1)
            let x0 = margin + (unit % perRow) * cellWidth, y0 = top + (unit / perRow) * cellHeight
            for (p, w) in column.enumerated() {
                let t = Double(w / extent)
                let colour = t >= 0
                    ? Colour(255, UInt8(255 * (1 - t)), UInt8(255 * (1 - t)))
                    : Colour(UInt8(255 * (1 + t)), UInt8(255 * (1 + t)), 255)
                canvas.fill(x: x0 + (p % inputColumns) * scale, y: y0 + (p / inputColumns) * scale, width: scale, height: scale, colour: colour)
            }
        }
        return canvas
    }
}
