import Foundation

/// Brings any picture to the dataset's form, as Fashion-MNIST's images were made: grayscale,
/// a light object on a dark background, trimmed to the object, its longer side scaled to the
/// target size with the aspect ratio kept, and centred.
///
/// Dark-on-light photos (most product shots) are inverted: the background is judged from the
/// border pixels. Transparent pixels count as white background.
public enum ImagePreparation {
    public static func prepare(_ image: RasterImage, rows: Int = 28, columns: Int = 28) -> [UInt8] {
        var gray = grayscale(image)
        let width = image.width
        let height = image.height
        // The border's mean says which way round the picture is.
        var border = [UInt8]()
        for x in 0..<width {
            border.append(gray[x])
            border.append(gray[(height - 1) * width + x])
        }
        for y in 0..<height {
            border.append(gray[y * width])
            border.append(gray[y * width + width - 1])
        }
        let borderMean = Double(border.reduce(0) { $0 + Int($1) }) / Double(border.count)
        if borderMean > 127 { gray = gray.map { 255 - $0 } }
        let background = borderMean > 127 ? 255 - borderMean : borderMean

        // Trim to the pixels that stand out from the background.
        let threshold = UInt8(min(255, background + 24))
        var minX = width
        var minY = height
        var maxX = -1
        var maxY = -1
        for y in 0..<height {
            for x in 0..<width where gray[y * width + x] > threshold {
                minX = min(minX, x)
                maxX = max(maxX, x)
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        if maxX < 0 {
            minX = 0
            minY = 0
            maxX = width - 1
            maxY = height - 1
        }  // nothing stands out: keep it all
        let cropWidth = maxX - minX + 1
        let cropHeight = maxY - minY + 1
        let scale = min(Double(columns) / Double(cropWidth), Double(rows) / Double(cropHeight))
        let targetWidth = max(1, min(columns, Int((Double(cropWidth) * scale).rounded())))
        let targetHeight = max(1, min(rows, Int((Double(cropHeight) * scale).rounded())))
        let offsetX = (columns - targetWidth) / 2
        let offsetY = (rows - targetHeight) / 2

        var output = [UInt8](repeating: 0, count: rows * columns)
        for ty in 0..<targetHeight {
            for tx in 0..<targetWidth {
                // Average the source pixels whose centres fall in this target pixel's area.
                let x0 = Double(tx) / scale
                let x1 = Double(tx + 1) / scale
                let y0 = Double(ty) / scale
                let y1 = Double(ty + 1) / scale
                var sum = 0
                var count = 0
                var sy = Int(y0.rounded(.down))
                while Double(sy) + 0.5 < y1 && sy < cropHeight {
                    if Double(sy) + 0.5 >= y0 {
                        var sx = Int(x0.rounded(.down))
                        while Double(sx) + 0.5 < x1 && sx < cropWidth {
                            if Double(sx) + 0.5 >= x0 {
                                sum += Int(gray[(minY + sy) * width + minX + sx])
                                count += 1
                            }
                            sx += 1
                        }
                    }
                    sy += 1
                }
                if count == 0 {  // enlarging: nearest source pixel
                    let sx = min(cropWidth - 1, Int((Double(tx) + 0.5) / scale))
                    let sy2 = min(cropHeight - 1, Int((Double(ty) + 0.5) / scale))
                    sum = Int(gray[(minY + sy2) * width + minX + sx])
                    count = 1
                }
                output[(offsetY + ty) * columns + offsetX + tx] = UInt8(sum / count)
            }
        }
        return output
    }

    /// Luma (ITU-R BT.601), alpha composited over white.
    static func grayscale(_ image: RasterImage) -> [UInt8] {
        let n = image.width * image.height
        let c = image.channels
        let p = image.pixels
        return (0..<n).map { i in
            let o = i * c
            let value: Double
            let alpha: Double
            switch c {
            case 1:
                value = Double(p[o])
                alpha = 1
            case 2:
                value = Double(p[o])
                alpha = Double(p[o + 1]) / 255
            default:
                value = 0.299 * Double(p[o]) + 0.587 * Double(p[o + 1]) + 0.114 * Double(p[o + 2])
                alpha = c == 4 ? Double(p[o + 3]) / 255 : 1
            }
            return UInt8((value * alpha + 255 * (1 - alpha)).rounded())
        }
    }
}
