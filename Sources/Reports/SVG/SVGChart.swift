import Foundation

/// What the report's vector charts share: a colour-blind-safe palette (Okabe and Ito), the
/// frame (title, axes, ticks, labels, as real text), and accessible markup (`role="img"`, a
/// `<title>` and a `<desc>` a screen reader reads).
public enum SVGChart {
    /// Okabe and Ito's palette, distinguishable with every common colour-vision deficiency.
    public static let palette = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442",
    ]

    public static func colour(_ index: Int) -> String { palette[index % palette.count] }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// About `count` round tick values covering `low...high`.
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var values = [Double]()
        var value = (low / step).rounded(.up) * step
        while value <= high + step * 1e-9 {
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return values
    }

    static func tickLabel(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e6 { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// The `<svg>` element's opening, title and description.
    static func open(width: Int, height: Int, title: String, description: String, id: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" \
        role="img" aria-labelledby="\(id)-title \(id)-desc" class="chart" font-family="system-ui, sans-serif">
        <title id="\(id)-title">\(escape(title))</title>
        <desc id="\(id)-desc">\(escape(description))</desc>
        <rect width="\(width)" height="\(height)" fill="#ffffff"/>
        <text x="\(width / 2)" y="18" text-anchor="middle" font-size="14" font-weight="600">\(escape(title))</text>

        """
    }

    /// A plot area with y ticks and grid lines, and a y label; returns the markup and the
    /// function from a y value to its pixel row.
    struct Frame {
        let left: Double
        let top: Double
        let width: Double
        let height: Double
        let yLow: Double
        let yHigh: Double

        func y(_ value: Double) -> Double { top + height - (value - yLow) / max(1e-12, yHigh - yLow) * height }

        func yAxis(label: String) -> String {
            var out = ""
            for tick in SVGChart.ticks(yLow, yHigh) {
                let row = SVGChart.number(y(tick))
                out += "<line x1=\"\(SVGChart.number(left))\" x2=\"\(SVGChart.number(left + width))\" y1=\"\(row)\" "
                out += "y2=\"\(row)\" stroke=\"#e3e6eb\"/>\n"
                out += "<text x=\"\(SVGChart.number(left - 6))\" y=\"\(row)\" dy=\"4\" text-anchor=\"end\" "
                out += "font-size=\"11\" fill=\"#444\">\(SVGChart.tickLabel(tick))</text>\n"
            }
            let middle = SVGChart.number(top + height / 2)
            out += "<text transform=\"translate(14 \(middle)) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" "
            out += "fill=\"#222\">\(SVGChart.escape(label))</text>\n"
            out +=
                "<line x1=\"\(SVGChart.number(left))\" x2=\"\(SVGChart.number(left))\" y1=\"\(SVGChart.number(top))\" "
            out += "y2=\"\(SVGChart.number(top + height))\" stroke=\"#888\"/>\n"
            return out
        }
    }

    /// A legend of coloured swatches in a row at `y`.
    static func legend(_ entries: [(name: String, colour: String)], x: Double, y: Double) -> String {
        var out = ""
        var cursor = x
        for entry in entries {
            out +=
                "<rect x=\"\(number(cursor))\" y=\"\(number(y - 9))\" width=\"12\" height=\"10\" "
                + "fill=\"\(entry.colour)\"/>"
            out +=
                "<text x=\"\(number(cursor + 16))\" y=\"\(number(y))\" font-size=\"11\">\(escape(entry.name))</text>\n"
            cursor += 28 + Double(entry.name.count) * 6.5
        }
        return out
    }
}
