import Foundation
import NumericCore

/// Random changes to each training image, drawn anew every batch from a seeded generator:
/// a shift of up to `cropPadding` pixels each way (random crop of the zero-padded image), a
/// mirror image with probability `flipProbability`, and random erasing (Zhong et al. 2017:
/// with probability `erasingProbability`, a rectangle of 2-33% of the image with aspect ratio
/// 0.3-3.3 is set to 0). Labels are untouched: each image stays in its row.
///
/// Images are NHWC `[batch, height·width·channels]`, as the model's input shape says.
public struct Augmentation: Codable, Equatable, Sendable {
    public var cropPadding: Int
    public var flipProbability: Double
    public var erasingProbability: Double

    public init(cropPadding: Int = 0, flipProbability: Double = 0, erasingProbability: Double = 0) {
        self.cropPadding = cropPadding
        self.flipProbability = flipProbability
        self.erasingProbability = erasingProbability
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cropPadding = try c.decodeIfPresent(Int.self, forKey: .cropPadding) ?? 0
        flipProbability = try c.decodeIfPresent(Double.self, forKey: .flipProbability) ?? 0
        erasingProbability = try c.decodeIfPresent(Double.self, forKey: .erasingProbability) ?? 0
    }

    public var isIdentity: Bool { cropPadding == 0 && flipProbability == 0 && erasingProbability == 0 }

    public func validate() throws(ModelError) {
        guard cropPadding >= 0 else {
            throw .invalidOption(
                name: "augmentation.cropPadding", reason: "expected 0 or more pixels, found \(cropPadding)")
        }
        for (name, p) in [("flipProbability", flipProbability), ("erasingProbability", erasingProbability)]
        where !(0...1).contains(p) {
            throw .invalidOption(name: "augmentation.\(name)", reason: "expected a probability in [0, 1], found \(p)")
        }
    }

    /// What `apply` does to one image: drawn in row order from the generator, so the draws and
    /// the images do not depend on how the rows are then shared among threads.
    struct Change {
        var dy = 0
        var dx = 0
        var flip = false
        /// The erased rectangle: top, left, height, width (height 0: none).
        var erase = (0, 0, 0, 0)
    }

    /// Changes every image of `batch` in place. `shape` is `[height, width, channels]`. The
    /// random draws are made row by row first; the images are then changed on `runner`'s
    /// threads (the same result for any count).
    public func apply(
        to batch: Matrix, shape: [Int], generator: inout SeededGenerator, runner: ParallelRunner? = nil
    ) {
        guard !isIdentity, shape.count == 3 else { return }
        let (height, width) = (shape[0], shape[1])
        var changes = [Change](repeating: Change(), count: batch.rows)
        for row in 0..<batch.rows {
            var change = Change()
            change.dy = cropPadding > 0 ? generator.nextIndex(below: 2 * cropPadding + 1) - cropPadding : 0
            change.dx = cropPadding > 0 ? generator.nextIndex(below: 2 * cropPadding + 1) - cropPadding : 0
            change.flip = flipProbability > 0 && Double(generator.nextUnitFloat()) < flipProbability
            if erasingProbability > 0, Double(generator.nextUnitFloat()) < erasingProbability {
                let area = Double(height * width) * Double(generator.nextFloat(in: 0.02, 0.33))
                let ratio = exp(Double(generator.nextFloat(in: Float(log(0.3)), Float(log(3.3)))))
                let h = min(height, max(1, Int((area * ratio).squareRoot().rounded())))
                let w = min(width, max(1, Int((area / ratio).squareRoot().rounded())))
                let top = generator.nextIndex(below: height - h + 1)
                let left = generator.nextIndex(below: width - w + 1)
                change.erase = (top, left, h, w)
            }
            changes[row] = change
        }
        let work = { (rows: Range<Int>) in
            changes.withUnsafeBufferPointer { Self.change(batch, rows: rows, shape: shape, by: $0) }
        }
        if let runner {
            runner.forEachRange(count: batch.rows, minimumPerPart: 8, work)
        } else {
            work(0..<batch.rows)
        }
    }

    private static func change(
        _ batch: Matrix, rows: Range<Int>, shape: [Int], by changes: UnsafeBufferPointer<Change>
    ) {
        let (height, width, channels) = (shape[0], shape[1], shape[2])
        let size = height * width * channels
        var scratch = [Float](repeating: 0, count: size)
        for row in rows {
            let image = batch.pointer + row * size
            let (dy, dx, flip) = (changes[row].dy, changes[row].dx, changes[row].flip)
            if dy != 0 || dx != 0 || flip {
                scratch.withUnsafeMutableBufferPointer { out in
                    for y in 0..<height {
                        for x in 0..<width {
                            // Output (y, x) shows input (y + dy, x + dx), read mirrored when flipped.
                            let sy = y + dy
                            let sxUnflipped = x + dx
                            let target = (y * width + x) * channels
                            guard sy >= 0, sy < height, sxUnflipped >= 0, sxUnflipped < width else {
                                for c in 0..<channels { out[target + c] = 0 }
                                continue
                            }
                            let sx = flip ? width - 1 - sxUnflipped : sxUnflipped
                            for c in 0..<channels { out[target + c] = image[(sy * width + sx) * channels + c] }
                        }
                    }
                    image.update(from: out.baseAddress!, count: size)
                }
            }
            let (top, left, h, w) = changes[row].erase
            for y in top..<(top + h) {
                (image + (y * width + left) * channels).update(repeating: 0, count: w * channels)
            }
        }
    }

    /// Writes the mirror image (left and right swapped) of every image of `batch` into
    /// `output`, resized to match. `shape` is `[height, width, channels]`.
    public static func mirror(_ batch: Matrix, shape: [Int], into output: Matrix) {
        output.resize(rows: batch.rows, columns: batch.columns)
        let (height, width, channels) = (shape[0], shape[1], shape[2])
        for row in 0..<batch.rows {
            for y in 0..<height {
                let line = row * batch.columns + y * width * channels
                for x in 0..<width {
                    (output.pointer + line + x * channels).update(
                        from: batch.pointer + line + (width - 1 - x) * channels, count: channels)
                }
            }
        }
    }
}
