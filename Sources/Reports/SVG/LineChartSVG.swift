/// Lines over epochs (or any x), one a series, each with an optional band (say, the spread
/// over seeds), as inline SVG.
public struct LineChartSVG: Sendable {
    /// One line of the chart, with an optional band (the spread over seeds).
    public struct Series: Sendable {
        public let name: String
        public let colour: String
        /// (x, y) along the line.
        public let points: [(x: Double, y: Double)]
        /// (x, low, high): the band drawn under the line.
        public let band: [(x: Double, low: Double, high: Double)]

        public init(
            name: String, colour: String, points: [(x: Double, y: Double)],
            band: [(x: Double, low: Double, high: Double)] = []
        ) {
            self.name = name
            self.colour = colour
            self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
            self.band = band.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }
        }
    }

    public let id: String
    public let title: String
    public let description: String
    public let xLabel: String
    public let yLabel: String
    public let series: [Series]
    public let width: Int
    public let height: Int

    public init(
        id: String, title: String, description: String, xLabel: String, yLabel: String, series: [Series],
        width: Int = 460, height: Int = 300
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = width
        self.height = height
    }

    public var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) + $0.band.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } }
        let xLow = xs.min() ?? 0
        let xHigh = max(xs.max() ?? 1, xLow + (xs.allSatisfy { $0 == $0.rounded() } ? 1 : 1e-9))
        var yLow = ys.min() ?? 0
        var yHigh = ys.max() ?? 1
        let pad = max(1e-6, (yHigh - yLow) * 0.06)
        yLow -= pad
        yHigh += pad
        let frame = SVGChart.Frame(
            left: 56, top: 48, width: Double(width) - 72, height: Double(height) - 96, yLow: yLow, yHigh: yHigh)
        func x(_ value: Double) -> Double { frame.left + (value - xLow) / (xHigh - xLow) * frame.width }
        var out = SVGChart.open(width: width, height: height, title: title, description: description, id: id)
        out += SVGChart.legend(series.map { ($0.name, $0.colour) }, x: frame.left, y: 36)
        out += frame.yAxis(label: yLabel)
        let bottom = frame.top + frame.height
        // Whole-number x (epochs) gets whole-number ticks only.
        let wholeX = xs.allSatisfy { $0 == $0.rounded() }
        for tick in SVGChart.ticks(xLow, xHigh) where !wholeX || tick == tick.rounded() {
            out +=
                "<text x=\"\(SVGChart.number(x(tick)))\" y=\"\(SVGChart.number(bottom + 16))\" text-anchor=\"middle\" "
            out += "font-size=\"11\" fill=\"#444\">\(SVGChart.tickLabel(tick))</text>\n"
        }
        out += "<line x1=\"\(SVGChart.number(frame.left))\" x2=\"\(SVGChart.number(frame.left + frame.width))\" "
        out += "y1=\"\(SVGChart.number(bottom))\" y2=\"\(SVGChart.number(bottom))\" stroke=\"#888\"/>\n"
        out +=
            "<text x=\"\(SVGChart.number(frame.left + frame.width / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\" "
        out += "font-size=\"12\">\(SVGChart.escape(xLabel))</text>\n"
        for item in series {
            if item.band.count > 1 {
                let upper = item.band.map { "\(SVGChart.number(x($0.x))),\(SVGChart.number(frame.y($0.high)))" }
                let lower = item.band.reversed().map {
                    "\(SVGChart.number(x($0.x))),\(SVGChart.number(frame.y($0.low)))"
                }
                out += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(item.colour)\" "
                out += "fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            }
            let line = item.points.map { "\(SVGChart.number(x($0.x))),\(SVGChart.number(frame.y($0.y)))" }
            out += "<polyline class=\"series\" points=\"\(line.joined(separator: " "))\" fill=\"none\" "
            out +=
                "stroke=\"\(item.colour)\" stroke-width=\"2\"><title>\(SVGChart.escape(item.name))</title></polyline>\n"
        }
        return out + "</svg>\n"
    }
}
