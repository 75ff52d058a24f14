import Foundation
import NeuralNet
import NumericCore

/// Saliency maps for a classifier, with the methods Captum and tf-keras-vis name: which input
/// values the model's score for a class depends on.
///
/// - The score of class `c` is the model's output for `c` before a final softmax (the logit),
///   as tf-keras-vis scores it: probabilities saturate, and a logit's gradient says more. Or,
///   with `score: .logProbability`, the log of its probability: what the deletion check
///   measures, so what raises a rival class counts against `c`.
/// - Inputs: `count` images of the model's input size (NHWC, scaled as the model takes them).
///   Maps: one value per input value, `[count, inputSize]`, row-major.
/// - Runs the model in inference mode (batch norm's moving statistics, no dropout). It works
///   on a copy of the layers that shares the weights (`sharingWeights()`); a backward pass
///   writes the parameters' gradient buffers, which are shared too, so one `Explainer` (and
///   no training) at a time per model.
public final class Explainer {
    /// What number of the model's a map explains for a class.
    public enum Score: String, CaseIterable, Codable, Sendable {
        /// The class's output before the final softmax (tf-keras-vis's default).
        case logit
        /// The log of the class's probability: the logit less the log-sum-exp of all of
        /// them, so what raises another class counts against this one.
        case logProbability = "log-probability"
    }

    public let model: Sequential
    public let score: Score
    /// Rows run through the model at once (bounds memory for integrated gradients).
    public static let chunkSize = 256

    public init(model: Sequential, score: Score = .logit) {
        self.model = model.sharingWeights()
        self.score = score
    }

    public var inputSize: Int { model.inputSize }
    public var classCount: Int { model.outputSize }

    /// The scores (logits) of every class, `[count, classes]`.
    public func scores(_ inputs: [Float], count: Int) -> [Float] {
        var result = [Float]()
        forEachChunk(inputs, count: count) { matrix in
            result += model.logits(matrix, training: false, fusing: .softmax).values
        }
        return result
    }

    /// The probabilities the model gives, `[count, classes]`.
    public func probabilities(_ inputs: [Float], count: Int) -> [Float] {
        var result = [Float]()
        forEachChunk(inputs, count: count) { matrix in result += model(matrix).values }
        return result
    }

    /// The score explained (`score`) of class `classes[row]` for every row.
    public func targetScores(_ inputs: [Float], classes: [Int]) -> [Double] {
        let logits = scores(inputs, count: classes.count)
        let k = classCount
        return classes.enumerated().map { row, c in
            let z = logits[(row * k)..<((row + 1) * k)]
            switch score {
            case .logit: return Double(z[row * k + c])
            case .logProbability:
                let top = Double(z.max() ?? 0)
                let sum = z.reduce(0.0) { $0 + exp(Double($1) - top) }
                return Double(z[row * k + c]) - top - log(sum)
            }
        }
    }

    /// d score / d logits for each row of `logits`, the class of row `r` being
    /// `classes[classes.startIndex + r]`.
    func scoreGradient(_ logits: Matrix, classes: ArraySlice<Int>) -> Matrix {
        let seed = Matrix(rows: logits.rows, columns: logits.columns)
        for row in 0..<logits.rows {
            let c = classes[classes.startIndex + row]
            switch score {
            case .logit: seed[row, c] = 1
            case .logProbability:
                // d log softmax(z)_c / dz = onehot(c) − softmax(z).
                var top = -Float.infinity
                for j in 0..<logits.columns { top = max(top, logits[row, j]) }
                var sum: Float = 0
                for j in 0..<logits.columns { sum += exp(logits[row, j] - top) }
                for j in 0..<logits.columns { seed[row, j] = -exp(logits[row, j] - top) / sum }
                seed[row, c] += 1
            }
        }
        return seed
    }

    /// d score(class of row) / d input, for every row: `classes[row]` is the class explained.
    public func gradient(_ inputs: [Float], classes: [Int]) -> [Float] {
        var result = [Float]()
        result.reserveCapacity(inputs.count)
        var start = 0
        forEachChunk(inputs, count: classes.count) { matrix in
            let logits = model.logits(matrix, training: false, fusing: .softmax)
            let seed = scoreGradient(logits, classes: classes[start...])
            let g = model.backward(fromLogits: seed, fusing: .softmax, needsInputGradient: true)
            result += g?.values ?? [Float](repeating: 0, count: matrix.count)
            start += matrix.rows
        }
        return result
    }

    /// Gradient times input (Shrikumar et al. 2016), elementwise.
    public func gradientTimesInput(_ inputs: [Float], classes: [Int]) -> [Float] {
        zip(gradient(inputs, classes: classes), inputs).map { $0 * $1 }
    }

    /// Integrated gradients (Sundararajan et al. 2017): `(x − baseline) ⊙ ∫₀¹ ∇score(baseline
    /// + α(x − baseline)) dα`, the integral by Gauss-Legendre quadrature at `steps` points (as
    /// Captum's default).
    /// Completeness: each map sums to about score(x) − score(baseline), returned as `differences`;
    /// `deltas` is what is left.
    public func integratedGradients(
        _ inputs: [Float], baselines: [Float], classes: [Int], steps: Int
    ) -> (maps: [Float], deltas: [Double], differences: [Double]) {
        let size = inputSize
        let (nodes, weights) = Self.gaussLegendre(steps)
        let points = nodes.count
        var maps = [Float](repeating: 0, count: inputs.count)
        var differences = [Double]()
        for (image, target) in classes.enumerated() {
            let x = Array(inputs[(image * size)..<((image + 1) * size)])
            let base = Array(baselines[(image * size)..<((image + 1) * size)])
            var path = [Float]()
            path.reserveCapacity(points * size)
            for alpha in nodes {
                for i in 0..<size { path.append(base[i] + Float(alpha) * (x[i] - base[i])) }
            }
            let gradients = gradient(path, classes: [Int](repeating: target, count: points))
            for (k, weight) in weights.enumerated() {
                for i in 0..<size { maps[image * size + i] += Float(weight) * gradients[k * size + i] }
            }
            for i in 0..<size { maps[image * size + i] *= x[i] - base[i] }
            let ends = targetScores(x + base, classes: [target, target])
            differences.append(ends[0] - ends[1])
        }
        return (maps, Self.completenessDeltas(maps, differences: differences), differences)
    }

    /// Integrated gradients' completeness gaps: for each image's map (`maps` holds one a
    /// difference, one after another), |Σ map − difference|, the map's values added in order.
    /// An ensemble's is its mean map's against its members' mean difference.
    public static func completenessDeltas(_ maps: [Float], differences: [Double]) -> [Double] {
        let size = differences.isEmpty ? 0 : maps.count / differences.count
        return differences.indices.map { i in
            abs((0..<size).reduce(0.0) { $0 + Double(maps[i * size + $1]) } - differences[i])
        }
    }

    /// SmoothGrad (Smilkov et al. 2017; tf-keras-vis's `smooth_samples` and `smooth_noise`,
    /// Captum's `NoiseTunnel`): a map averaged over `samples` copies of the inputs with
    /// Gaussian noise added, its deviation `noise` times the inputs' `range`. The noise comes
    /// from `seed`, so the same call gives the same maps.
    public struct Smoothing: Sendable, Equatable {
        public var samples: Int
        public var noise: Float
        public var seed: UInt64

        public init(samples: Int, noise: Float = 0.15, seed: UInt64 = 1) {
            self.samples = samples
            self.noise = noise
            self.seed = seed
        }
    }

    /// `method`'s maps averaged over noisy copies of `inputs` (see `Smoothing`); `range` is
    /// the width of the inputs' scale (1 for pixels divided by 255).
    public func smoothed(
        _ inputs: [Float], smoothing: Smoothing, range: Float, _ method: ([Float]) -> [Float]
    ) -> [Float] {
        var generator = SeededGenerator(seed: smoothing.seed)
        let deviation = smoothing.noise * range
        let samples = max(1, smoothing.samples)
        var maps = [Float](repeating: 0, count: inputs.count)
        for _ in 0..<samples {
            let noisy = inputs.map { $0 + deviation * generator.nextNormal() }
            let map = method(noisy)
            for j in maps.indices { maps[j] += map[j] }
        }
        for j in maps.indices { maps[j] /= Float(samples) }
        return maps
    }

    /// Integrated gradients with SmoothGrad: the maps of noisy copies of the inputs (each from
    /// the same `baselines`) averaged. Completeness then holds for the average: each map sums
    /// to about the mean over the copies of score(copy) − score(baseline), which is returned
    /// as `differences`, with `deltas` what is left.
    public func smoothIntegratedGradients(
        _ inputs: [Float], baselines: [Float], classes: [Int], steps: Int, smoothing: Smoothing, range: Float
    ) -> (maps: [Float], deltas: [Double], differences: [Double]) {
        var differences = [Double](repeating: 0, count: classes.count)
        let maps = smoothed(inputs, smoothing: smoothing, range: range) { noisy in
            let result = integratedGradients(noisy, baselines: baselines, classes: classes, steps: steps)
            for i in classes.indices { differences[i] += result.differences[i] }
            return result.maps
        }
        let samples = Double(max(1, smoothing.samples))
        for i in classes.indices { differences[i] /= samples }
        return (maps, Self.completenessDeltas(maps, differences: differences), differences)
    }

    /// The nodes and weights of `n`-point Gauss-Legendre quadrature on [0, 1] (Newton's
    /// iteration on the Legendre polynomial, as Numerical Recipes' `gauleg`).
    static func gaussLegendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        for i in 0..<((n + 1) / 2) {
            var z = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p1 = 1.0
                var p2 = 0.0
                for j in 1...n {
                    let p3 = p2
                    p2 = p1
                    p1 = ((2 * Double(j) - 1) * z * p2 - (Double(j) - 1) * p3) / Double(j)
                }
                derivative = Double(n) * (z * p1 - p2) / (z * z - 1)
                let previous = z
                z = previous - p1 / derivative
                if abs(z - previous) < 1e-15 { break }
            }
            // From [-1, 1] to [0, 1]: nodes (1 ∓ z) / 2, weights halved.
            nodes[i] = (1 - z) / 2
            nodes[n - 1 - i] = (1 + z) / 2
            weights[i] = 1 / ((1 - z * z) * derivative * derivative)
            weights[n - 1 - i] = weights[i]
        }
        return (nodes, weights)
    }

    /// Occlusion (Zeiler and Fergus 2014): slide a `window`×`window` patch of `value` over each
    /// image with `stride`; each pixel gets the mean drop in the class's probability over the
    /// patches that cover it. Forward passes only, so it works for any model. `shape` is the
    /// images' (all channels of a pixel are covered together).
    public func occlusion(
        _ inputs: [Float], classes: [Int], shape: ImageShape, window: Int, stride: Int, value: Float = 0
    ) -> [Float] {
        let size = inputSize
        let window = max(1, window)
        let stride = max(1, stride)
        var maps = [Float](repeating: 0, count: inputs.count)
        let tops = Array(Swift.stride(from: 0, through: max(0, shape.height - window), by: stride))
        let lefts = Array(Swift.stride(from: 0, through: max(0, shape.width - window), by: stride))
        for (image, target) in classes.enumerated() {
            let x = Array(inputs[(image * size)..<((image + 1) * size)])
            var batch = [Float]()
            batch.reserveCapacity((tops.count * lefts.count + 1) * size)
            batch += x
            for top in tops {
                for left in lefts {
                    var occluded = x
                    for y in top..<min(shape.height, top + window) {
                        for xx in left..<min(shape.width, left + window) {
                            for c in 0..<shape.channels {
                                occluded[(y * shape.width + xx) * shape.channels + c] = value
                            }
                        }
                    }
                    batch += occluded
                }
            }
            let p = probabilities(batch, count: batch.count / size)
            let reference = p[target]
            var sums = [Float](repeating: 0, count: size)
            var counts = [Float](repeating: 0, count: size)
            var index = 1
            for top in tops {
                for left in lefts {
                    let drop = reference - p[index * classCount + target]
                    for y in top..<min(shape.height, top + window) {
                        for xx in left..<min(shape.width, left + window) {
                            for c in 0..<shape.channels {
                                sums[(y * shape.width + xx) * shape.channels + c] += drop
                                counts[(y * shape.width + xx) * shape.channels + c] += 1
                            }
                        }
                    }
                    index += 1
                }
            }
            for i in 0..<size { maps[image * size + i] = counts[i] > 0 ? sums[i] / counts[i] : 0 }
        }
        return maps
    }

    /// Runs `inputs` through `body` in chunks of `chunkSize` rows.
    func forEachChunk(_ inputs: [Float], count: Int, _ body: (Matrix) -> Void) {
        let size = inputSize
        var lower = 0
        while lower < count {
            let upper = min(count, lower + Self.chunkSize)
            let matrix = Matrix(
                rows: upper - lower, columns: size, values: Array(inputs[(lower * size)..<(upper * size)]))
            body(matrix)
            lower = upper
        }
    }
}
