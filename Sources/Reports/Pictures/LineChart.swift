import Foundation

/// A line chart of per-epoch values (training curves): one line per series, epochs on the
/// x axis, labelled ticks and a legend.
public struct LineChart: Sendable {
    /// One line of a chart: its name, colour and values.
    public struct Series: Sendable {
        public let name: String
        public let values: [Double]
        public let colour: Colour

        public init(name: String, values: [Double], colour: Colour) {
            self.name = name
            self.values = values
            self.colour = colour
        }
    }

    public let title: String
    public let series: [Series]
    public let width: Int
    public let height: Int

    public init(title: String, series: [Series], width: Int = 420, height: Int = 260) {
        self.title = title
        self.series = series.filter { !$0.values.isEmpty }
        self.width = width
        self.height = height
    }

    public static let palette = [Colour(31, 119, 180), Colour(255, 127, 14), Colour(44, 160, 44), Colour(214, 39, 40)]

    public func render() -> Canvas {
        var canvas = Canvas(width: width, height: height, background: .white)
        let left = 56
        let right = 14
        let top = 34
        let bottom = 40
        canvas.drawText(title, x: left, y: 10)
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let low0 = all.min(), let high0 = all.max() else { return canvas }
        let pad = max(1e-9, (high0 - low0) * 0.08)
        let low = low0 - pad
        let high = high0 + pad
        let epochs = series.map(\.values.count).max() ?? 1
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func px(_ epoch: Int) -> Int { left + (epochs <= 1 ? plotWidth / 2 : (epoch * plotWidth) / (epochs - 1)) }
        func py(_ value: Double) -> Int { top + Int(((high - value) / (high - low)) * Double(plotHeight)) }
        canvas.stroke(x: left, y: top, width: plotWidth + 1, height: plotHeight + 1, colour: Colour(160, 160, 160))
        for tick in 0...4 {
            let value = low + (high - low) * Double(tick) / 4
            let y = py(value)
            canvas.fill(x: left - 4, y: y, width: 4, height: 1, colour: .ink)
            canvas.drawText(String(format: "%.3f", value), x: 4, y: y - FixedFont.glyphHeight / 2)
        }
        let step = max(1, epochs / 6)
        for epoch in stride(from: 0, to: epochs, by: step) {
            let x = px(epoch)
            canvas.fill(x: x, y: top + plotHeight, width: 1, height: 4, colour: .ink)
            let label = "\(epoch + 1)"
            canvas.drawText(label, x: x - FixedFont.width(of: label) / 2, y: top + plotHeight + 6)
        }
        canvas.drawText("epoch", x: left + plotWidth / 2 - 15, y: height - FixedFont.glyphHeight - 4)
        for s in series {
            for i in 1..<max(1, s.values.count) where s.values[i - 1].isFinite && s.values[i].isFinite {
                canvas.drawLine(
                    from: (px(i - 1), py(s.values[i - 1])), to: (px(i), py(s.values[i])), colour: s.colour, thickness: 2
                )
            }
            if s.values.count == 1 {
                canvas.fill(x: px(0) - 2, y: py(s.values[0]) - 2, width: 5, height: 5, colour: s.colour)
            }
        }
        var legendX = left + FixedFont.width(of: title) + 16
        for s in series {
            canvas.fill(x: legendX, y: 14, width: 14, height: 3, colour: s.colour)
            canvas.drawText(s.name, x: legendX + 18, y: 10)
            legendX += FixedFont.width(of: s.name) + 32
        }
        return canvas
    }
}

extension Canvas {
    /// A straight line (Bresenham), `thickness` pixels wide.
    public mutating func drawLine(from start: (Int, Int), to end: (Int, Int), colour: Colour, thickness: Int = 1) {
        var (x0, y0) = start
        let (x1, y1) = end
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            fill(x: x0 - thickness / 2, y: y0 - thickness / 2, width: thickness, height: thickness, colour: colour)
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * error
            if e2 >= dy {
                error += dy
                x0 += sx
            }
            if e2 <= dx {
                error += dx
                y0 += sy
            }
        }
    }

    /// Places `other` with its top-left corner at (x, y).
    public mutating func draw(_ other: Canvas, x: Int, y: Int) {
        for row in 0..<other.height {
            for column in 0..<other.width { set(x: x + column, y: y + row, other.colour(atX: column, y: row)) }
        }
    }
}
