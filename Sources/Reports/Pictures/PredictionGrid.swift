import Foundation

/// Test images in a grid, each captioned with its predicted and true class; wrong ones get
/// a red frame and caption.
public struct PredictionGrid: Sendable {
    /// One image of the grid with its predicted and true class.
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
    /// 1 (grayscale) or 3 (RGB).
    public var imageChannels = 1
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
        let scale = 3
        let margin = 14
        let captionWidth =
            (items.flatMap { [$0.predicted, "true: " + $0.truth] }.map { FixedFont.width(of: $0) }.max() ?? 0)
        let cellWidth = max(imageColumns * scale + 8, captionWidth + 8)
        let cellHeight = imageRows * scale + 8 + 2 * FixedFont.glyphHeight + 10
        let rows = (positions.map(\.0).max() ?? -1) + 1
        let top = margin + 2 * FixedFont.glyphHeight + 8
        var canvas = Canvas(
            width: 2 * margin + columns * cellWidth, height: top + rows * cellHeight + margin, background: .white)
        canvas.drawText(title, x: margin, y: margin, scale: 2)
        for (index, item) in items.enumerated() {
            let x = margin + positions[index].1 * cellWidth
            let y = top + positions[index].0 * cellHeight
            let imageX = x + (cellWidth - imageColumns * scale) / 2
            canvas.fill(
                x: imageX - 3, y: y, width: imageColumns * scale + 6, height: imageRows * scale + 6,
                colour: item.isCorrect ? Colour(210, 210, 210) : .wrong)
            canvas.drawGrayscale(
                item.image, rows: imageRows, columns: imageColumns, x: imageX, y: y + 3, scale: scale,
                channels: imageChannels)
            let captionY = y + imageRows * scale + 10
            canvas.drawText(item.predicted, x: x + 4, y: captionY, colour: item.isCorrect ? .right : .wrong)
            canvas.drawText("true: " + item.truth, x: x + 4, y: captionY + FixedFont.glyphHeight + 1, colour: .ink)
        }
        return canvas
    }
}
