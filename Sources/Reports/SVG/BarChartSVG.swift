/// Grouped bars: for each category (a class), one bar a group (a model), as inline SVG.
public struct BarChartSVG: Sendable {
    /// One group of bars: a label and a value for each series.
    public struct Group: Sendable {
        public let name: String
        public let colour: String
        /// One value a category.
        public let values: [Double]

        public init(name: String, colour: String, values: [Double]) {
            self.name = name
            self.colour = colour
            self.values = values
        }
    }

    public let id: String
    public let title: String
    public let description: String
    public let yLabel: String
    public let categories: [String]
    public let groups: [Group]
    public let yRange: ClosedRange<Double>
    public let width: Int
    public let height: Int

    public init(
        id: String, title: String, description: String, yLabel: String, categories: [String], groups: [Group],
        yRange: ClosedRange<Double> = 0...1, width: Int = 720, height: Int = 300
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.yLabel = yLabel
        self.categories = categories
        self.groups = groups
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    public var svg: String {
        let frame = SVGChart.Frame(
            left: 56, top: 48, width: Double(width) - 70, height: Double(height) - 100, yLow: yRange.lowerBound,
            yHigh: yRange.upperBound)
        var out = SVGChart.open(width: width, height: height, title: title, description: description, id: id)
        out += SVGChart.legend(groups.map { ($0.name, $0.colour) }, x: frame.left, y: 36)
        out += frame.yAxis(label: yLabel)
        let slot = frame.width / Double(max(1, categories.count))
        let barWidth = slot * 0.8 / Double(max(1, groups.count))
        let bottom = frame.top + frame.height
        for (c, category) in categories.enumerated() {
            let start = frame.left + Double(c) * slot + slot * 0.1
            for (g, group) in groups.enumerated() where c < group.values.count {
                let value = min(yRange.upperBound, max(yRange.lowerBound, group.values[c]))
                let top = frame.y(value)
                out += "<rect class=\"bar\" x=\"\(SVGChart.number(start + Double(g) * barWidth))\" "
                out += "y=\"\(SVGChart.number(top))\" width=\"\(SVGChart.number(barWidth - 1))\" "
                out += "height=\"\(SVGChart.number(bottom - top))\" fill=\"\(group.colour)\">"
                out += "<title>\(SVGChart.escape("\(category), \(group.name): \(SVGChart.tickLabel(group.values[c]))"))"
                out += "</title></rect>\n"
            }
            out += "<text x=\"\(SVGChart.number(start + slot * 0.4))\" y=\"\(SVGChart.number(bottom + 16))\" "
            out += "text-anchor=\"middle\" font-size=\"11\">\(SVGChart.escape(category))</text>\n"
        }
        out += "<line x1=\"\(SVGChart.number(frame.left))\" x2=\"\(SVGChart.number(frame.left + frame.width))\" "
        out += "y1=\"\(SVGChart.number(bottom))\" y2=\"\(SVGChart.number(bottom))\" stroke=\"#888\"/>\n"
        return out + "</svg>\n"
    }
}
