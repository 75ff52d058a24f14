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
        let cell = 46, margin = 14
        let labels = classNames.enumerated().map { "\($0.offset) \($0.element)" }
        let labelWidth = (labels.map { FixedFont.width(of: $0) }.max() ?? 0) + 10
        let top = margin + 2 * FixedFont.glyphHeight + 8 + FixedFont.glyphHeight + 20
        let left = margin + labelWidth
        var canvas = Canvas(width: left + n * cell + margin, height: top + n * cell + margin + FixedFont.glyphHeight + 6, background: .white)
        canvas.drawText(title, x: margin, y: margin, scale: 2)
        canvas.drawText("predicted class", x: left, y: margin + 2 * FixedFont.glyphHeight + 4)
        for j in 0..<n {
            let label = "\(j)"
            canvas.drawText(label, x: left + j * cell + (cell - FixedFont.width(of: label)) / 2, y: top - FixedFont.glyphHeight - 2)
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
                canvas.drawText(text, x: left + j * cell + (cell - FixedFont.width(of: text)) / 2,
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

/// Test images in a grid, each captioned with its predicted and true class; wrong ones get
/// a red frame and caption.
public struct PredictionGrid: Sendable {
    public struct Item: Sendable {
        public let image: ArraySlice<UInt8>
        public let predicted: String
        public let truth: String
        public let confidence: Double

        public init(image: ArraySlice<UInt8>, predicted: String, truth: String, confidence: Double) {
            self.image = image
            self.predicted = predicted
            self.truth = truth
            self.confidence = confidence
        }

        var isCorrect: Bool { predicted == truth }
    }

    public let title: String
    public let items: [Item]
    public let imageRows: Int
    public let imageColumns: Int
    public let columns: Int

    public init(title: String, items: [Item], imageRows: Int, imageColumns: Int, columns: Int = 8) {
        self.title = title
        self.items = items
        self.imageRows = imageRows
        self.imageColumns = imageColumns
        let perRow = max(1, columns)
        self.columns = perRow
        positions = items.indices.map { ($0 / perRow, $0 % perRow) }
    }

    /// One row per group (a class's mistakes, say), each starting on a new line.
    public init(title: String, rows: [[Item]], imageRows: Int, imageColumns: Int) {
        self.title = title
        items = rows.flatMap { $0 }
        self.imageRows = imageRows
        self.imageColumns = imageColumns
        columns = max(1, rows.map(\.count).max() ?? 1)
        positions = rows.enumerated().flatMap { row, group in group.indices.map { (row, $0) } }
    }

    /// (row, column) of each item.
    private let positions: [(Int, Int)]

    public func render() -> Canvas {
        let scale = 3, margin = 14
        let captionWidth = (items.flatMap { [$0.predicted, "true: " + $0.truth] }.map { FixedFont.width(of: $0) }.max() ?? 0)
        let cellWidth = max(imageColumns * scale + 8, captionWidth + 8)
        let cellHeight = imageRows * scale + 8 + 2 * FixedFont.glyphHeight + 10
        let rows = (positions.map(\.0).max() ?? -1) + 1
        let top = margin + 2 * FixedFont.glyphHeight + 8
        var canvas = Canvas(width: 2 * margin + columns * cellWidth, height: top + rows * cellHeight + margin, background: .white)
        canvas.drawText(title, x: margin, y: margin, scale: 2)
        for (index, item) in items.enumerated() {
            let x = margin + positions[index].1 * cellWidth, y = top + positions[index].0 * cellHeight
            let imageX = x + (cellWidth - imageColumns * scale) / 2
            canvas.fill(x: imageX - 3, y: y, width: imageColumns * scale + 6, height: imageRows * scale + 6,
                        colour: item.isCorrect ? Colour(210, 210, 210) : .wrong)
            canvas.drawGrayscale(item.image, rows: imageRows, columns: imageColumns, x: imageX, y: y + 3, scale: scale)
            let captionY = y + imageRows * scale + 10
            canvas.drawText(item.predicted, x: x + 4, y: captionY, colour: item.isCorrect ? .right : .wrong)
            canvas.drawText("true: " + item.truth, x: x + 4, y: captionY + FixedFont.glyphHeight + 1, colour: .ink)
        }
        return canvas
    }
}
