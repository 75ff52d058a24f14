/// Explanations as a person checks them: each input beside its heat map and the two
/// overlaid, with the class explained and its probability. One row an input.
///
/// The heat map is each pixel's absolute attribution (a pixel's channels summed), scaled so
/// the 99th percentile is the top of the scale, in a colour-blind-safe ramp (cividis-like:
/// dark blue to yellow).
public struct SaliencyPicture: Sendable {
    /// One image, its map and their overlay, with a caption.
    public struct Row: Sendable {
        public let image: [UInt8]
        public let map: [Float]
        public let caption: String

        /// - Parameters:
        ///   - image: the grayscale pixels the model saw (height·width).
        ///   - map: one value per pixel (height·width).
        ///   - caption: the line under the row.
        public init(image: [UInt8], map: [Float], caption: String) {
            self.image = image
            self.map = map
            self.caption = caption
        }
    }

    public let title: String
    public let rows: [Row]
    public let height: Int
    public let width: Int
    public let scale: Int

    public init(title: String, rows: [Row], height: Int, width: Int, scale: Int = 4) {
        self.title = title
        self.rows = rows
        self.height = height
        self.width = width
        self.scale = scale
    }

    /// The ramp from 0 to 1 (an approximation of cividis, readable for every kind of colour vision).
    public static func colour(_ t: Float) -> Colour {
        let stops: [(Float, Colour)] = [
            (0, Colour(0, 32, 77)), (0.25, Colour(65, 77, 107)), (0.5, Colour(124, 123, 120)),
            (0.75, Colour(190, 175, 111)), (1, Colour(255, 234, 70)),
        ]
        let v = min(1, max(0, t.isFinite ? t : 0))
        for i in 1..<stops.count where v <= stops[i].0 {
            let (t0, c0) = stops[i - 1]
            let (t1, c1) = stops[i]
            let f = (v - t0) / (t1 - t0)
            func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Float(a) + (Float(b) - Float(a)) * f).rounded()) }
            return Colour(mix(c0.red, c1.red), mix(c0.green, c1.green), mix(c0.blue, c1.blue))
        }
        return stops[stops.count - 1].1
    }

    /// `map`'s absolute values scaled to [0, 1] by their 99th percentile.
    public static func normalised(_ map: [Float]) -> [Float] {
        let magnitudes = map.map { abs($0.isFinite ? $0 : 0) }
        let sorted = magnitudes.sorted()
        let top = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * 0.99))]
        let peak = top > 0 ? top : (sorted.last ?? 0)
        return magnitudes.map { peak > 0 ? min(1, $0 / peak) : 0 }
    }

    public func render() -> Canvas {
        let cell = width * scale
        let cellHeight = height * scale
        let gap = 8
        let captionHeight = FixedFont.glyphHeight + 6
        let top = FixedFont.glyphHeight + 12
        let canvasWidth = max(3 * cell + 4 * gap, FixedFont.width(of: title) + 2 * gap)
        var canvas = Canvas(
            width: canvasWidth, height: top + rows.count * (cellHeight + captionHeight + gap) + gap, background: .white)
        canvas.drawText(title, x: gap, y: 6)
        for (index, row) in rows.enumerated() {
            let y = top + index * (cellHeight + captionHeight + gap)
            let heat = Self.normalised(row.map)
            canvas.drawText(row.caption, x: gap, y: y)
            let imageY = y + captionHeight
            for py in 0..<height {
                for px in 0..<width {
                    let gray = row.image[py * width + px]
                    let h = Self.colour(heat[py * width + px])
                    // The overlay: the image's brightness tinted by the heat, half and half.
                    let overlay = Colour(
                        UInt8((Int(gray) + Int(h.red)) / 2), UInt8((Int(gray) + Int(h.green)) / 2),
                        UInt8((Int(gray) + Int(h.blue)) / 2))
                    for (column, colour) in [Colour(gray, gray, gray), h, overlay].enumerated() {
                        canvas.fill(
                            x: gap + column * (cell + gap) + px * scale, y: imageY + py * scale, width: scale,
                            height: scale,
                            colour: colour)
                    }
                }
            }
        }
        return canvas
    }
}
