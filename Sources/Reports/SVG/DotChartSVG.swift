/// Values per category as dots (one a seed, say) with their mean as a bar, as inline SVG.
public struct DotChartSVG: Sendable {
    public let id: String
    public let title: String
    public let description: String
    public let yLabel: String
    /// (category, its values).
    public let rows: [(name: String, values: [Double])]
    public let width: Int
    public let height: Int

    public init(
        id: String, title: String, description: String, yLabel: String, rows: [(name: String, values: [Double])],
        width: Int = 360, height: Int = 300
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.yLabel = yLabel
        self.rows = rows
        self.width = width
        self.height = height
    }

    public var svg: String {
        let all = rows.flatMap(\.values).filter(\.isFinite)
        let spread = max(0.002, (all.max() ?? 1) - (all.min() ?? 0))
        let frame = SVGChart.Frame(
            left: 60, top: 40, width: Double(width) - 76, height: Double(height) - 84,
            yLow: (all.min() ?? 0) - spread * 0.25, yHigh: (all.max() ?? 1) + spread * 0.25)
        var out = SVGChart.open(width: width, height: height, title: title, description: description, id: id)
        out += frame.yAxis(label: yLabel)
        let slot = frame.width / Double(max(1, rows.count))
        let bottom = frame.top + frame.height
        for (r, row) in rows.enumerated() {
            let centre = frame.left + slot * (Double(r) + 0.5)
            let colour = SVGChart.colour(r)
            let values = row.values.filter(\.isFinite)
            if !values.isEmpty {
                let mean = values.reduce(0, +) / Double(values.count)
                out += "<line class=\"mean\" x1=\"\(SVGChart.number(centre - slot * 0.3))\" "
                out += "x2=\"\(SVGChart.number(centre + slot * 0.3))\" y1=\"\(SVGChart.number(frame.y(mean)))\" "
                out += "y2=\"\(SVGChart.number(frame.y(mean)))\" stroke=\"\(colour)\" stroke-width=\"3\">"
                out += "<title>\(SVGChart.escape("\(row.name): mean \(SVGChart.tickLabel(mean))"))</title></line>\n"
            }
            for (i, value) in values.enumerated() {
                let offset = (Double(i) - Double(values.count - 1) / 2) * 8
                out += "<circle class=\"dot\" cx=\"\(SVGChart.number(centre + offset))\" "
                out += "cy=\"\(SVGChart.number(frame.y(value)))\" r=\"4.5\" fill=\"\(colour)\" fill-opacity=\"0.8\">"
                out += "<title>\(SVGChart.escape("\(row.name): \(SVGChart.tickLabel(value))"))</title></circle>\n"
            }
            out +=
                "<text x=\"\(SVGChart.number(centre))\" y=\"\(SVGChart.number(bottom + 16))\" text-anchor=\"middle\" "
            out += "font-size=\"12\">\(SVGChart.escape(row.name))</text>\n"
        }
        out += "<line x1=\"\(SVGChart.number(frame.left))\" x2=\"\(SVGChart.number(frame.left + frame.width))\" "
        out += "y1=\"\(SVGChart.number(bottom))\" y2=\"\(SVGChart.number(bottom))\" stroke=\"#888\"/>\n"
        return out + "</svg>\n"
    }
}
