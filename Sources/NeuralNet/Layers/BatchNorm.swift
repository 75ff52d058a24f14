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
    /// Whether the last forward used the batch's statistics; backward follows it.
    private var lastWasTraining = false

    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var specification: LayerSpecification {
        LayerSpecification(kind: .batchNorm, momentum: momentum.shortestDouble, epsilon: epsilon.shortestDouble)
    }
    public var parameters: [Parameter] { [gamma, beta] }
    public var state: [Parameter] { [movingMean, movingVariance] }

    /// One scale and shift per feature, or per channel of images (the last dimension).
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        let inputSize = inputShape.last ?? 1
        guard inputSize > 0 else {
            throw .invalidSpecification("batch norm needs at least one feature, found \(inputShape)")
        }
        guard momentum >= 0, momentum < 1 else {
            throw .invalidSpecification("batch norm momentum must be in [0, 1), found \(momentum)")
        }
        guard epsilon > 0, epsilon.isFinite else {
            throw .invalidSpecification("batch norm epsilon must be above 0, found \(epsilon)")
        }
        gamma = Parameter(name: "gamma", rows: 1, columns: inputSize, decays: false)
        beta = Parameter(name: "beta", rows: 1, columns: inputSize, decays: false)
        movingMean = Parameter(name: "moving_mean", rows: 1, columns: inputSize, decays: false)
        movingVariance = Parameter(name: "moving_variance", rows: 1, columns: inputSize, decays: false)
        gamma.value.fill(1)
        movingVariance.value.fill(1)
        inverseDeviation = [Float](repeating: 1, count: inputSize)
        return inputShape
    }

    public func sharingWeights() -> any Layer {
        let copy = BatchNorm(momentum: momentum, epsilon: epsilon)
        copy.gamma = gamma
        copy.beta = beta
        copy.movingMean = movingMean
        copy.movingVariance = movingVariance
        copy.inverseDeviation = inverseDeviation
        return copy
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        // Images: each pixel of each image is one more row of `features` channels. Every loop
        // runs along rows, channels innermost, so it reads memory in order and vectorises.
        let features = gamma.value.columns
        let batch = input.count / features
        lastWasTraining = training
        output.resize(rows: input.rows, columns: input.columns)
        normalised.resize(rows: input.rows, columns: input.columns)
        let x = input.pointer
        let xhat = normalised.pointer
        let y = output.pointer
        let g = gamma.value.pointer
        let b = beta.value.pointer
        let mm = movingMean.value.pointer
        let mv = movingVariance.value.pointer
        var mean = [Float](repeating: 0, count: features)
        var variance = [Float](repeating: 0, count: features)
        mean.withUnsafeMutableBufferPointer { mean in
            variance.withUnsafeMutableBufferPointer { variance in
                if training {
                    for r in 0..<batch {
                        let row = x + r * features
                        for j in 0..<features { mean[j] += row[j] }
                    }
                    for j in 0..<features { mean[j] /= Float(batch) }
                    for r in 0..<batch {
                        let row = x + r * features
                        for j in 0..<features {
                            let d = row[j] - mean[j]
                            variance[j] += d * d
                        }
                    }
                    for j in 0..<features {
                        variance[j] /= Float(batch)
                        mm[j] = momentum * mm[j] + (1 - momentum) * mean[j]
                        mv[j] = momentum * mv[j] + (1 - momentum) * variance[j]
                    }
                } else {
                    for j in 0..<features {
                        mean[j] = mm[j]
                        variance[j] = mv[j]
                    }
                }
                inverseDeviation.withUnsafeMutableBufferPointer { inverse in
                    for j in 0..<features { inverse[j] = 1 / (variance[j] + epsilon).squareRoot() }
                    // Row by row, each element alone: split across threads without changing a bit.
                    let mean = UnsafePointer(mean.baseAddress!)
                    let inverse = UnsafePointer(inverse.baseAddress!)
                    Compute.runner.forEachRange(count: batch, minimumPerPart: 2048) { rows in
                        for r in rows {
                            let row = x + r * features
                            let n = xhat + r * features
                            let out = y + r * features
                            for j in 0..<features {
                                n[j] = (row[j] - mean[j]) * inverse[j]
                                out[j] = g[j] * n[j] + b[j]
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// After a training forward: dInput = gamma * inv / N * (N * dy - Σ dy - xhat * Σ(dy * xhat)),
    /// the statistics being functions of the batch. After an inference forward the statistics
    /// are constants: dInput = gamma * inv * dy. dGamma = Σ dy * xhat and dBeta = Σ dy in both.
    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        let features = gamma.value.columns
        let batch = outputGradient.count / features
        let dy = outputGradient.pointer
        let xhat = normalised.pointer
        let dg = gamma.gradient.pointer
        let db = beta.gradient.pointer
        let g = gamma.value.pointer
        dg.update(repeating: 0, count: features)
        db.update(repeating: 0, count: features)
        for r in 0..<batch {
            let gy = dy + r * features
            let n = xhat + r * features
            for j in 0..<features {
                db[j] += gy[j]
                dg[j] += gy[j] * n[j]
            }
        }
        guard needsInputGradient else { return nil }
        inputGradient.resize(rows: outputGradient.rows, columns: outputGradient.columns)
        let dx = inputGradient.pointer
        let count = Float(batch)
        var scale = [Float](repeating: 0, count: features)
        scale.withUnsafeMutableBufferPointer { scale in
            inverseDeviation.withUnsafeBufferPointer { inverse in
                for j in 0..<features { scale[j] = g[j] * inverse[j] / count }
            }
            let scale = UnsafePointer(scale.baseAddress!)
            guard lastWasTraining else {
                for r in 0..<batch {
                    let gy = dy + r * features
                    let out = dx + r * features
                    for j in 0..<features { out[j] = scale[j] * count * gy[j] }
                }
                return
            }
            Compute.runner.forEachRange(count: batch, minimumPerPart: 2048) { rows in
                for r in rows {
                    let gy = dy + r * features
                    let n = xhat + r * features
                    let out = dx + r * features
                    for j in 0..<features { out[j] = scale[j] * (count * gy[j] - db[j] - n[j] * dg[j]) }
                }
            }
        }
        return inputGradient
    }
}
