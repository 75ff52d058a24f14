/// A matrix of counts as coloured cells with their numbers, as inline SVG: a confusion matrix
/// (`counts`: darker blue, more images), or one confusion matrix minus another (`signed`: blue
/// where `better` says the change helps, orange where it hurts).
public struct MatrixChartSVG: Sendable {
    /// How a matrix's cells are coloured: by size, or diverging around zero (better, worse).
    public enum Colouring: Sendable {
        case counts
        /// Whether a change of `value` at (row, column) is an improvement.
        case signed(better: @Sendable (Int, Int, Int) -> Bool)
    }

    public let id: String
    public let title: String
    public let description: String
    public let labels: [String]
    /// `values[row][column]`.
    public let values: [[Int]]
    public let colouring: Colouring
    public let width: Int

    public init(
        id: String, title: String, description: String, labels: [String], values: [[Int]], colouring: Colouring,
        width: Int = 560
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.labels = labels
        self.values = values
        self.colouring = colouring
        self.width = width
    }

    var isSigned: Bool {
        if case .signed = colouring { return true }
        return false
    }

    public var svg: String {
        let n = labels.count
        let left = 96.0
        let top = 70.0
        let cell = (Double(width) - left - 16) / Double(max(1, n))
        let height = Int(top + cell * Double(n) + 34)
        let peak = max(1, values.flatMap { $0.map(abs) }.max() ?? 1)
        var out = SVGChart.open(width: width, height: height, title: title, description: description, id: id)
        out += "<text x=\"\(SVGChart.number(left + cell * Double(n) / 2))\" y=\"36\" text-anchor=\"middle\" "
        out += "font-size=\"11\" fill=\"#444\">predicted class →</text>\n"
        out += "<text x=\"8\" y=\"\(SVGChart.number(top - 6))\" font-size=\"11\" fill=\"#444\">true class ↓</text>\n"
        for (c, label) in labels.enumerated() {
            let x = left + cell * (Double(c) + 0.5)
            out += "<text x=\"\(SVGChart.number(x))\" y=\"\(SVGChart.number(top - 6))\" text-anchor=\"middle\" "
            out += "font-size=\"10\">\(SVGChart.escape(String(label.prefix(7))))</text>\n"
        }
        for (r, row) in values.enumerated() where r < n {
            let y = top + cell * Double(r)
            out += "<text x=\"\(SVGChart.number(left - 6))\" y=\"\(SVGChart.number(y + cell / 2 + 4))\" "
            out += "text-anchor=\"end\" font-size=\"11\">\(SVGChart.escape(labels[r]))</text>\n"
            for (c, value) in row.enumerated() where c < n {
                let strength = Double(abs(value)) / Double(peak)
                let colour: String
                switch colouring {
                case .counts: colour = value == 0 ? "#f4f5f7" : "#0072B2"
                case .signed(let better):
                    colour = value == 0 ? "#f4f5f7" : (better(r, c, value) ? "#0072B2" : "#E69F00")
                }
                let opacity = value == 0 ? 1 : 0.15 + 0.85 * strength
                let x = left + cell * Double(c)
                out += "<rect class=\"cell\" x=\"\(SVGChart.number(x))\" y=\"\(SVGChart.number(y))\" "
                out +=
                    "width=\"\(SVGChart.number(cell - 1))\" height=\"\(SVGChart.number(cell - 1))\" fill=\"\(colour)\" "
                out += "fill-opacity=\"\(String(format: "%.2f", opacity))\">"
                out +=
                    "<title>\(SVGChart.escape("\(labels[r]) as \(labels[c]): \(value > 0 ? "+" : "")\(value)"))</title>"
                out += "</rect>\n"
                if value != 0 {
                    out += "<text x=\"\(SVGChart.number(x + cell / 2))\" y=\"\(SVGChart.number(y + cell / 2 + 4))\" "
                    out += "text-anchor=\"middle\" font-size=\"10\" fill=\"\(strength > 0.55 ? "#fff" : "#111")\">"
                    out += "\(value > 0 && isSigned ? "+" : "")\(value)</text>\n"
                }
            }
        }
        return out + "</svg>\n"
    }
}
