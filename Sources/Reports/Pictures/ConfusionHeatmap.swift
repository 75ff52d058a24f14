import Foundation

/// A confusion matrix as a heatmap with its counts: rows are true classes, columns
/// predictions; a cell's blue deepens with its share of the row (recall on the diagonal).
public struct ConfusionHeatmap: Sendable {
    public let title: String
    public let counts: [[Int]]
    public let classNames: [String]

    public init(title: String, counts: [[Int]], classNames: [String]) {
        self.title = title
        self.counts = counts
        self.classNames = classNames
    }

    public func render() -> Canvas {
        let n = counts.count
        let cell = 46
        let margin = 14
        let labels = classNames.enumerated().map { "\($0.offset) \($0.element)" }
        let labelWidth = (labels.map { FixedFont.width(of: $0) }.max() ?? 0) + 10
        let top = margin + 2 * FixedFont.glyphHeight + 8 + FixedFont.glyphHeight + 20
        let left = margin + labelWidth
        var canvas = Canvas(
            width: left + n * cell + margin, height: top + n * cell + margin + FixedFont.glyphHeight + 6,
            background: .white)
        canvas.drawText(title, x: margin, y: margin, scale: 2)
        canvas.drawText("predicted class", x: left, y: margin + 2 * FixedFont.glyphHeight + 4)
        for j in 0..<n {
            let label = "\(j)"
            canvas.drawText(
                label, x: left + j * cell + (cell - FixedFont.width(of: label)) / 2, y: top - FixedFont.glyphHeight - 2)
        }
        for i in 0..<n {
            let rowTotal = max(1, counts[i].reduce(0, +))
            canvas.drawText(labels[i], x: margin, y: top + i * cell + (cell - FixedFont.glyphHeight) / 2)
            for j in 0..<n {
                let share = Double(counts[i][j]) / Double(rowTotal)
                let colour = Self.blue(share)
                canvas.fill(x: left + j * cell, y: top + i * cell, width: cell - 1, height: cell - 1, colour: colour)
                let text = "\(counts[i][j])"
                let ink: Colour = share > 0.5 ? .white : .ink
                canvas.drawText(
                    text, x: left + j * cell + (cell - FixedFont.width(of: text)) / 2,
                    y: top + i * cell + (cell - FixedFont.glyphHeight) / 2, colour: ink)
            }
        }
        canvas.drawText("rows: true class; shade: share of the row", x: margin, y: top + n * cell + 4)
        return canvas
    }

    /// White at 0 to a deep blue at 1.
    static func blue(_ t: Double) -> Colour {
        let s = min(1, max(0, t)).squareRoot()
        func mix(_ a: Double, _ b: Double) -> UInt8 { UInt8((a + (b - a) * s).rounded()) }
        return Colour(mix(255, 8), mix(255, 48), mix(255, 107))
    }
}
