import Foundation

/// Multi-label predictions in a grid: each image with its tags, one a line, marked as the
/// field counts them: a right tag (predicted and true) in green, a missed one (true, not
/// predicted) in orange with "missed", an invented one (predicted, not true) in red with "extra";
/// each with the model's probability. An image with every tag right gets a grey frame, others
/// a red one.
public struct TagGrid: Sendable {
    /// One tag drawn under an image, coloured by its verdict.
    public struct Tag: Sendable {
        /// Whether a tag was given rightly, missed or invented.
        public enum Verdict: Sendable { case right, missed, invented }
        public let name: String
        public let probability: Double
        public let verdict: Verdict

        public init(name: String, probability: Double, verdict: Verdict) {
            self.name = name
            self.probability = probability
            self.verdict = verdict
        }
    }

    /// One image of the grid with its tags.
    public struct Item: Sendable {
        public let image: ArraySlice<UInt8>
        public let tags: [Tag]

        public init(image: ArraySlice<UInt8>, tags: [Tag]) {
            self.image = image
            self.tags = tags
        }
    }

    public let title: String
    public let items: [Item]
    public let imageRows: Int
    public let imageColumns: Int
    public var imageChannels = 1
    public let columns: Int

    public init(title: String, items: [Item], imageRows: Int, imageColumns: Int, columns: Int = 6) {
        self.title = title
        self.items = items
        self.imageRows = imageRows
        self.imageColumns = imageColumns
        self.columns = max(1, columns)
    }

    static let missedColour = Colour(205, 110, 0)

    static func caption(_ tag: Tag) -> String {
        let probability = String(format: "%.2f", tag.probability)
        switch tag.verdict {
        case .right: return "\(tag.name) \(probability)"
        case .missed: return "missed \(tag.name) \(probability)"
        case .invented: return "extra \(tag.name) \(probability)"
        }
    }

    public func render() -> Canvas {
        let scale = 2
        let margin = 14
        let line = FixedFont.glyphHeight + 1
        let captionWidth = items.flatMap { $0.tags.map { FixedFont.width(of: Self.caption($0)) } }.max() ?? 0
        let cellWidth = max(imageColumns * scale + 8, captionWidth + 8)
        let tagLines = max(1, items.map(\.tags.count).max() ?? 1)
        let cellHeight = imageRows * scale + 8 + tagLines * line + 10
        let rows = (items.count + columns - 1) / columns
        let top = margin + 2 * FixedFont.glyphHeight + 8
        var canvas = Canvas(
            width: 2 * margin + min(columns, max(1, items.count)) * cellWidth, height: top + rows * cellHeight + margin,
            background: .white)
        canvas.drawText(title, x: margin, y: margin, scale: 2)
        for (index, item) in items.enumerated() {
            let x = margin + (index % columns) * cellWidth
            let y = top + (index / columns) * cellHeight
            let imageX = x + (cellWidth - imageColumns * scale) / 2
            let allRight = item.tags.allSatisfy { $0.verdict == .right }
            canvas.fill(
                x: imageX - 3, y: y, width: imageColumns * scale + 6, height: imageRows * scale + 6,
                colour: allRight ? Colour(210, 210, 210) : .wrong)
            canvas.drawGrayscale(
                item.image, rows: imageRows, columns: imageColumns, x: imageX, y: y + 3, scale: scale,
                channels: imageChannels)
            for (n, tag) in item.tags.enumerated() {
                let colour: Colour =
                    switch tag.verdict {
                    case .right: .right
                    case .missed: Self.missedColour
                    case .invented: .wrong
                    }
                canvas.drawText(Self.caption(tag), x: x + 4, y: y + imageRows * scale + 10 + n * line, colour: colour)
            }
        }
        return canvas
    }
}
