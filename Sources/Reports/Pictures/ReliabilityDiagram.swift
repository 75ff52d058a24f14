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
        let size = 300
        let left = 50
        let top = 34
        let bottom = 40
        var canvas = Canvas(width: left + size + 20, height: top + size + bottom, background: .white)
        canvas.drawText(title, x: 10, y: 10)
        canvas.stroke(x: left, y: top, width: size + 1, height: size + 1, colour: Colour(160, 160, 160))
        for (lower, upper, count, accuracy) in bins where count > 0 {
            let x0 = left + Int(lower * Double(size))
            let x1 = left + Int(upper * Double(size))
            let h = Int(accuracy * Double(size))
            canvas.fill(
                x: x0 + 1, y: top + size - h, width: max(1, x1 - x0 - 1), height: h, colour: LineChart.palette[0])
        }
        canvas.drawLine(from: (left, top + size), to: (left + size, top), colour: LineChart.palette[3], thickness: 1)
        for tick in 0...4 {
            let value = Double(tick) / 4
            let label = String(format: "%.2f", value)
            canvas.drawText(label, x: 8, y: top + size - Int(value * Double(size)) - FixedFont.glyphHeight / 2)
            canvas.drawText(
                label, x: left + Int(value * Double(size)) - FixedFont.width(of: label) / 2, y: top + size + 6)
        }
        canvas.drawText("confidence (top probability); bars: accuracy", x: left, y: top + size + 22)
        return canvas
    }
}
