import Foundation
import _Files

/// A sprite of sample images: one class a row, labelled with its index and name, `perClass`
/// images across, each enlarged `scale` times. Takes plain values, so any grayscale dataset
/// can be shown.
public struct SampleSprite: Sendable {
    /// One row of the sprite: a class name and its images, `rows * columns` bytes each.
    public struct Row: Sendable {
        public let label: String
        public let images: [ArraySlice<UInt8>]

        public init(label: String, images: [ArraySlice<UInt8>]) {
            self.label = label
            self.images = images
        }
    }

    public let title: String
    public let rows: [Row]
    public let imageRows: Int
    /// 1 (grayscale) or 3 (RGB).
    public var imageChannels = 1
    public let imageColumns: Int
    public let scale: Int

    public init(title: String, rows: [Row], imageRows: Int, imageColumns: Int, scale: Int = 2) {
        self.title = title
        self.rows = rows
        self.imageRows = imageRows
        self.imageColumns = imageColumns
        self.scale = max(1, scale)
    }

    static let margin = 12
    static let gap = 4

    public func render() -> Canvas {
        let cellWidth = imageColumns * scale
        let cellHeight = imageRows * scale
        let labelWidth = (rows.map { FixedFont.width(of: $0.label) }.max() ?? 0) + 2 * Self.gap
        let perRow = rows.map(\.images.count).max() ?? 0
        let titleHeight = FixedFont.glyphHeight * 2 + Self.gap
        let gridWidth = perRow * (cellWidth + Self.gap)
        let width = 2 * Self.margin + max(labelWidth + gridWidth, FixedFont.width(of: title, scale: 2))
        let height = 2 * Self.margin + titleHeight + rows.count * (cellHeight + Self.gap)
        var canvas = Canvas(width: width, height: height)
        canvas.drawText(title, x: Self.margin, y: Self.margin, scale: 2)
        for (r, row) in rows.enumerated() {
            let top = Self.margin + titleHeight + r * (cellHeight + Self.gap)
            canvas.drawText(row.label, x: Self.margin, y: top + (cellHeight - FixedFont.glyphHeight) / 2)
            for (c, image) in row.images.enumerated() {
                let left = Self.margin + labelWidth + c * (cellWidth + Self.gap)
                canvas.drawGrayscale(
                    image, rows: imageRows, columns: imageColumns, x: left, y: top, scale: scale,
                    channels: imageChannels)
            }
        }
        return canvas
    }

    /// Renders the sprite and writes it as a PNG file, atomically.
    public func writePNG(to url: URL) throws(FileWriteError) {
        try AtomicFile.write(PNGEncoder.encode(render()), to: url)
    }
}
