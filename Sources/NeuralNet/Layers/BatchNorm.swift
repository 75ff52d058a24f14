import NumericCore

/// Batch normalisation for dense layers (Ioffe and Szegedy, 2015), with Keras's defaults:
/// `output = gamma * (x - mean) / sqrt(variance + epsilon) + beta` per feature.
///
/// - Input and output: `[batch, features]`, or images `[batch, height, width, channels]`,
///   normalised per channel over the batch and every pixel (Keras's axis −1).
/// - Parameters: gamma `[features]` (ones), beta `[features]` (zeros).
/// - State: moving mean (zeros) and moving variance (ones), updated while training as
///   `moving = momentum * moving + (1 - momentum) * batch statistic` (momentum 0.99) and
///   used at inference. Training uses the batch's own (biased) mean and variance.
public final class BatchNorm: Layer {
    public let momentum: Float
    public let epsilon: Float
    public private(set) var gamma: Parameter!
    public private(set) var beta: Parameter!
    public private(set) var movingMean: Parameter!
    public private(set) var movingVariance: Parameter!
    private let normalised = Matrix(rows: 0, columns: 0)
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)
    private var inverseDeviation = [Float]()

    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var specification: LayerSpecification { LayerSpecification(kind: .batchNorm) }
    public var parameters: [Parameter] { [gamma, beta] }
    public var state: [Parameter] { [movingMean, movingVariance] }

    public func build(inputSize: Int, generator: inout SeededGenerator) throws(ModelError) -> Int {
        gamma = Parameter(name: "gamma", rows: 1, columns: inputSize, decays: false)
        beta = Parameter(name: "beta", rows: 1, columns: inputSize, decays: false)
        movingMean = Parameter(name: "moving_mean", rows: 1, columns: inputSize, decays: false)
        movingVariance = Parameter(name: "moving_variance", rows: 1, columns: inputSize, decays: false)
        gamma.value.fill(1)
        movingVariance.value.fill(1)
        inverseDeviation = [Float](repeating: 1, count: inputSize)
        return inputSize
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        _ = try build(inputSize: inputShape.last ?? 1, generator: &generator)
        return inputShape
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        // Images: each pixel of each image is one more row of `features` channels.
        let features = gamma.value.columns, batch = input.count / features
        output.resize(rows: input.rows, columns: input.columns)
        normalised.resize(rows: input.rows, columns: input.columns)
        let x = input.pointer, xhat = normalised.pointer, y = output.pointer
        let g = gamma.value.pointer, b = beta.value.pointer
        let mm = movingMean.value.pointer, mv = movingVariance.value.pointer
        for j in 0..<features {
            var mean: Float, variance: Float
            if training {
                var sum: Float = 0
                for r in 0..<batch { sum += x[r * features + j] }
                mean = sum / Float(batch)
                var squares: Float = 0
                for r in 0..<batch { let d = x[r * features + j] - mean; squares += d * d }
                variance = squares / Float(batch)
                mm[j] = momentum * mm[j] + (1 - momentum) * mean
                mv[j] = momentum * mv[j] + (1 - momentum) * variance
            } else {
                mean = mm[j]
                variance = mv[j]
            }
            let inverse = 1 / (variance + epsilon).squareRoot()
            inverseDeviation[j] = inverse
            for r in 0..<batch {
                let n = (x[r * features + j] - mean) * inverse
                xhat[r * features + j] = n
                y[r * features + j] = g[j] * n + b[j]
            }
        }
        return output
    }

    /// dInput = gamma * inv / N * (N * dy - Σ dy - xhat * Σ(dy * xhat)).
    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        let features = gamma.value.columns, batch = outputGradient.count / features
        let dy = outputGradient.pointer, xhat = normalised.pointer
        let dg = gamma.gradient.pointer, db = beta.gradient.pointer, g = gamma.value.pointer
        if needsInputGradient { inputGradient.resize(rows: outputGradient.rows, columns: outputGradient.columns) }
        let dx = inputGradient.pointer
        let n = Float(batch)
        for j in 0..<features {
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for r in 0..<batch {
                sumDy += dy[r * features + j]
                sumDyXhat += dy[r * features + j] * xhat[r * features + j]
            }
            dg[j] = sumDyXhat
            db[j] = sumDy
            guard needsInputGradient else { continue }
            let scale = g[j] * inverseDeviation[j] / n
            for r in 0..<batch {
                dx[r * features + j] = scale * (n * dy[r * features + j] - sumDy - xhat[r * features + j] * sumDyXhat)
            }
        }
        return needsInputGradient ? inputGradient : nil
    }
}
