import Foundation

/// A scatter plot as inline SVG (for HTML reports): points with a colour and a tooltip, an
/// optional line through (x, y) pairs, a log or categorical x axis, and labelled ticks.
public struct ScatterPlot: Sendable {
    /// One point of the plot: its position, colour and tooltip.
    public struct Point: Sendable {
        public let x: Double
        public let y: Double
        public let colour: String
        public let tooltip: String

        public init(x: Double, y: Double, colour: String, tooltip: String) {
            self.x = x
            self.y = y
            self.colour = colour
            self.tooltip = tooltip
        }
    }

    /// How values are laid along an axis: linearly, logarithmically, or as categories.
    public enum Axis: Sendable {
        case linear, logarithmic
        /// Category `i` is drawn at x = i.
        case categories([String])
    }

    public let title: String
    public let xLabel: String
    public let yLabel: String
    public let points: [Point]
    public let line: [(x: Double, y: Double)]
    public let xAxis: Axis
    public let width: Int
    public let height: Int

    public init(
        title: String, xLabel: String, yLabel: String, points: [Point], line: [(x: Double, y: Double)] = [],
        xAxis: Axis = .linear, width: Int = 420, height: Int = 280
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
        self.line = line.filter { $0.x.isFinite && $0.y.isFinite }
        self.xAxis = xAxis
        self.width = width
        self.height = height
    }

    public var svg: String {
        let left = 58.0
        let right = 14.0
        let top = 30.0
        let bottom = 44.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        func tx(_ x: Double) -> Double {
            if case .logarithmic = xAxis { return Foundation.log10(max(x, 1e-300)) } else { return x }
        }
        let xs = (points.map(\.x) + line.map(\.x)).map(tx)
        let ys = points.map(\.y) + line.map(\.y)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        var (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if case .categories(let names) = xAxis { (x0, x1) = (-0.5, Double(max(1, names.count)) - 0.5) }
        if x1 - x0 < 1e-12 { (x0, x1) = (x0 - 0.5, x1 + 0.5) }
        if y1 - y0 < 1e-12 { (y0, y1) = (y0 - 0.005, y1 + 0.005) }
        let padX = (x1 - x0) * 0.05
        let padY = (y1 - y0) * 0.08
        if case .categories = xAxis {} else { (x0, x1) = (x0 - padX, x1 + padX) }
        (y0, y1) = (y0 - padY, y1 + padY)
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 "
            + "\(width) \(height)\" "
            + "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"\(HTML.escape(title))\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(HTML.escape(title))</text>\n"
        s +=
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" "
            + "fill=\"none\" stroke=\"#999\"/>\n"
        for i in 0...4 {
            let y = y0 + (y1 - y0) * Double(i) / 4
            s += "<line x1=\"\(f(left - 4))\" x2=\"\(f(left))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#999\"/>"
            s +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 4))\" "
                + "text-anchor=\"end\">\(String(format: "%.3f", y))</text>\n"
        }
        for (x, label) in xTicks(x0, x1) {
            let p = left + (x - x0) / (x1 - x0) * plotWidth
            s +=
                "<line x1=\"\(f(p))\" x2=\"\(f(p))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight + 4))\" "
                + "stroke=\"#999\"/>"
            s +=
                "<text x=\"\(f(p))\" y=\"\(f(top + plotHeight + 16))\" "
                + "text-anchor=\"middle\">\(HTML.escape(label))</text>\n"
        }
        s +=
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 6)\" "
            + "text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        s +=
            "<text x=\"12\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 12 "
            + "\(f(top + plotHeight / 2)))\">\(HTML.escape(yLabel))</text>\n"
        if line.count > 1 {
            s +=
                "<polyline fill=\"none\" stroke=\"#D55E00\" stroke-width=\"1.5\" points=\""
                + line.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ") + "\"/>\n"
        }
        for p in points {
            s +=
                "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"4\" fill=\"\(p.colour)\" "
                + "fill-opacity=\"0.8\"><title>\(HTML.escape(p.tooltip))</title></circle>\n"
        }
        return s + "</svg>"
    }

    /// Tick positions in the transformed x space, with their labels.
    func xTicks(_ x0: Double, _ x1: Double) -> [(Double, String)] {
        switch xAxis {
        case .categories(let names):
            return names.enumerated().map { (Double($0.offset), $0.element) }
        case .logarithmic:
            return (0...4).map { i in
                let v = x0 + (x1 - x0) * Double(i) / 4
                return (v, String(format: "%.2g", pow(10, v)))
            }
        case .linear:
            return (0...4).map { i in
                let v = x0 + (x1 - x0) * Double(i) / 4
                return (v, String(format: "%.3g", v))
            }
        }
    }
}
