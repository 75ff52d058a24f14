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
                    // Features split over threads in whole cache lines, each summed over the rows
                    // in order (16 at a time in registers): the same sums for any thread count.
                    let (sum, squares) = (mean.baseAddress!, variance.baseAddress!)
                    Compute.runner.forEachRange(count: features, alignment: 16, minimumPerPart: 16, partsPerThread: 1) {
                        part in
                        Self.moments(x, rows: batch, features: features, part: part, mean: sum, squares: squares)
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
                    Compute.runner.forEachRange(count: batch, minimumPerPart: Self.rowsPerPart(features)) { rows in
                        for r in rows {
                            let (row, n, out) = (x + r * features, xhat + r * features, y + r * features)
                            var j = 0
                            while j + 16 <= features {
                                let v = (Self.load(row + j) - Self.load(mean + j)) * Self.load(inverse + j)
                                Self.store(v, n + j)
                                Self.store(Self.load(g + j) * v + Self.load(b + j), out + j)
                                j += 16
                            }
                            for k in j..<features {
                                n[k] = (row[k] - mean[k]) * inverse[k]
                                out[k] = g[k] * n[k] + b[k]
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
        Compute.runner.forEachRange(count: features, alignment: 16, minimumPerPart: 16, partsPerThread: 1) { part in
            Self.gradientSums(dy, xhat, rows: batch, features: features, part: part, beta: db, gamma: dg)
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
            Compute.runner.forEachRange(count: batch, minimumPerPart: Self.rowsPerPart(features)) { rows in
                for r in rows {
                    let (gy, n, out) = (dy + r * features, xhat + r * features, dx + r * features)
                    var j = 0
                    while j + 16 <= features {
                        let v = count * Self.load(gy + j) - Self.load(db + j) - Self.load(n + j) * Self.load(dg + j)
                        Self.store(Self.load(scale + j) * v, out + j)
                        j += 16
                    }
                    for k in j..<features { out[k] = scale[k] * (count * gy[k] - db[k] - n[k] * dg[k]) }
                }
            }
        }
        return inputGradient
    }

    /// The mean of each feature in `part` over `rows` rows, then the sum of squared deviations
    /// from it, each in row order (16 features at a time in registers, the rest one by one).
    /// Up to four blocks of 16 share each pass over the rows: a pass per block read every row's
    /// cache lines again, from L3 for an image batch's 12,544 rows (cnn-small's first: 1.6 MB).
    private static func moments(
        _ x: UnsafePointer<Float>, rows: Int, features: Int, part: Range<Int>, mean: UnsafeMutablePointer<Float>,
        squares: UnsafeMutablePointer<Float>
    ) {
        var j = part.lowerBound
        while j + 16 <= part.upperBound {
            let blocks = min(4, (part.upperBound - j) / 16)
            var (s0, s1, s2, s3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for r in 0..<rows {
                let p = x + r * features + j
                s0 += load(p)
                if blocks > 1 { s1 += load(p + 16) }
                if blocks > 2 { s2 += load(p + 32) }
                if blocks > 3 { s3 += load(p + 48) }
            }
            let count = Float(rows)
            let (m0, m1, m2, m3) = (s0 / count, s1 / count, s2 / count, s3 / count)
            var (t0, t1, t2, t3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for r in 0..<rows {
                let p = x + r * features + j
                let d0 = load(p) - m0
                t0 += d0 * d0
                if blocks > 1 {
                    let d1 = load(p + 16) - m1
                    t1 += d1 * d1
                }
                if blocks > 2 {
                    let d2 = load(p + 32) - m2
                    t2 += d2 * d2
                }
                if blocks > 3 {
                    let d3 = load(p + 48) - m3
                    t3 += d3 * d3
                }
            }
            for (b, (m, t)) in [(m0, t0), (m1, t1), (m2, t2), (m3, t3)].prefix(blocks).enumerated() {
                store(m, mean + j + 16 * b)
                store(t, squares + j + 16 * b)
            }
            j += 16 * blocks
        }
        for k in j..<part.upperBound {
            var sum: Float = 0
            for r in 0..<rows { sum += x[r * features + k] }
            let m = sum / Float(rows)
            var total: Float = 0
            for r in 0..<rows {
                let d = x[r * features + k] - m
                total += d * d
            }
            mean[k] = m
            squares[k] = total
        }
    }

    /// dBeta = Σ dy and dGamma = Σ dy·xhat for the features in `part`, in row order.
    private static func gradientSums(
        _ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, rows: Int, features: Int, part: Range<Int>,
        beta: UnsafeMutablePointer<Float>, gamma: UnsafeMutablePointer<Float>
    ) {
        // Up to four blocks of 16 features a pass over the rows, as in `moments`.
        var j = part.lowerBound
        while j + 16 <= part.upperBound {
            let blocks = min(4, (part.upperBound - j) / 16)
            var (b0, b1, b2, b3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var (g0, g1, g2, g3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for r in 0..<rows {
                let (p, q) = (dy + r * features + j, xhat + r * features + j)
                let d0 = load(p)
                b0 += d0
                g0 += d0 * load(q)
                if blocks > 1 {
                    let d1 = load(p + 16)
                    b1 += d1
                    g1 += d1 * load(q + 16)
                }
                if blocks > 2 {
                    let d2 = load(p + 32)
                    b2 += d2
                    g2 += d2 * load(q + 32)
                }
                if blocks > 3 {
                    let d3 = load(p + 48)
                    b3 += d3
                    g3 += d3 * load(q + 48)
                }
            }
            for (b, (db, dg)) in [(b0, g0), (b1, g1), (b2, g2), (b3, g3)].prefix(blocks).enumerated() {
                store(db, beta + j + 16 * b)
                store(dg, gamma + j + 16 * b)
            }
            j += 16 * blocks
        }
        for k in j..<part.upperBound {
            var db: Float = 0
            var dg: Float = 0
            for r in 0..<rows {
                db += dy[r * features + k]
                dg += dy[r * features + k] * xhat[r * features + k]
            }
            beta[k] = db
            gamma[k] = dg
        }
    }

    /// The fewest rows of an elementwise pass one thread takes: about 32k values (2,048 rows
    /// whatever their width left cnn-small's second batch norm, 3,136 rows of 64, on one thread).
    private static func rowsPerPart(_ features: Int) -> Int { max(1, 32768 / max(1, features)) }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) private static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
