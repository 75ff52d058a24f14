/// How pictures are brought to a model's image size: Fashion-MNIST's way (`prepare`, for
/// models of Fashion-MNIST) or the letterbox, for image-folder datasets and their photos.
public enum PictureFit: String, Codable, Sendable, CaseIterable {
    /// Grayscale, light on dark, trimmed and centred: `ImagePreparation.prepare`.
    case fashionMNIST = "fashion_mnist"
    /// The picture as it is, its colour converted, scaled with the aspect kept so its longer
    /// side fills the image, centred, the margins in the colour of its border:
    /// `ImagePreparation.letterbox`. A picture of the image's size is taken unchanged.
    case letterbox
}

extension ImagePreparation {
    /// `image` at `rows` x `columns` with `channels` (1: luma, 3: RGB; alpha over white), by
    /// `PictureFit.letterbox`. Shrinking averages the source pixels under each target pixel;
    /// enlarging takes the nearest.
    public static func letterbox(_ image: RasterImage, rows: Int, columns: Int, channels: Int) -> [UInt8] {
        let source = converted(image, channels: channels)
        let width = image.width
        let height = image.height
        if width == columns, height == rows { return source }
        // The margin: the mean colour of the border pixels.
        var border = [Int](repeating: 0, count: channels)
        var borderCount = 0
        func addBorder(_ x: Int, _ y: Int) {
            for c in 0..<channels { border[c] += Int(source[(y * width + x) * channels + c]) }
            borderCount += 1
        }
        for x in 0..<width {
            addBorder(x, 0)
            addBorder(x, height - 1)
        }
        for y in 0..<height {
            addBorder(0, y)
            addBorder(width - 1, y)
        }
        var output = [UInt8](repeating: 0, count: rows * columns * channels)
        for i in 0..<(rows * columns) {
            for c in 0..<channels { output[i * channels + c] = UInt8(border[c] / max(1, borderCount)) }
        }
        let scale = min(Double(columns) / Double(width), Double(rows) / Double(height))
        let targetWidth = max(1, min(columns, Int((Double(width) * scale).rounded())))
        let targetHeight = max(1, min(rows, Int((Double(height) * scale).rounded())))
        let offsetX = (columns - targetWidth) / 2
        let offsetY = (rows - targetHeight) / 2
        var sums = [Int](repeating: 0, count: channels)
        for ty in 0..<targetHeight {
            let y0 = min(height - 1, Int((Double(ty) / scale).rounded(.down)))
            let y1 = max(y0 + 1, min(height, Int((Double(ty + 1) / scale).rounded(.up))))
            for tx in 0..<targetWidth {
                let x0 = min(width - 1, Int((Double(tx) / scale).rounded(.down)))
                let x1 = max(x0 + 1, min(width, Int((Double(tx + 1) / scale).rounded(.up))))
                for c in 0..<channels { sums[c] = 0 }
                for sy in y0..<y1 {
                    for sx in x0..<x1 {
                        for c in 0..<channels { sums[c] += Int(source[(sy * width + sx) * channels + c]) }
                    }
                }
                let count = (y1 - y0) * (x1 - x0)
                let target = ((offsetY + ty) * columns + offsetX + tx) * channels
                for c in 0..<channels { output[target + c] = UInt8((sums[c] + count / 2) / count) }
            }
        }
        return output
    }

    /// `image`'s pixels with `channels` channels: luma (BT.601) for 1, RGB for 3 (grayscale
    /// repeated); alpha composited over white.
    static func converted(_ image: RasterImage, channels: Int) -> [UInt8] {
        if channels == 1 { return image.channels == 1 ? image.pixels : grayscale(image) }
        let n = image.width * image.height
        let c = image.channels
        let p = image.pixels
        if c == 3 { return p }
        var output = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n {
            let o = i * c
            var rgb: (Double, Double, Double)
            var alpha = 1.0
            switch c {
            case 1: rgb = (Double(p[o]), Double(p[o]), Double(p[o]))
            case 2:
                rgb = (Double(p[o]), Double(p[o]), Double(p[o]))
                alpha = Double(p[o + 1]) / 255
            default:
                rgb = (Double(p[o]), Double(p[o + 1]), Double(p[o + 2]))
                alpha = Double(p[o + 3]) / 255
            }
            output[i * 3] = UInt8((rgb.0 * alpha + 255 * (1 - alpha)).rounded())
            output[i * 3 + 1] = UInt8((rgb.1 * alpha + 255 * (1 - alpha)).rounded())
            output[i * 3 + 2] = UInt8((rgb.2 * alpha + 255 * (1 - alpha)).rounded())
        }
        return output
    }
}
