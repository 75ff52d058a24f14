import NumericCore

/// Inverted dropout: while training, each input is zeroed with probability `rate` and the
/// survivors are scaled by 1 / (1 - rate), so inference is the identity.
///
/// - Input and output: `[batch, features]` or images, the same shape. No parameters.
/// - Randomness: the layer's own generator, seeded from the model's at build time, so the
///   same seed drops the same units.
public final class Dropout: Layer {
    public let rate: Float
    private var generator = SeededGenerator(seed: 0)
    private let mask = Matrix(rows: 0, columns: 0)
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)
    private var lastWasTraining = false

    public init(rate: Float) { self.rate = rate }

    public var specification: LayerSpecification { LayerSpecification(kind: .dropout, rate: rate.shortestDouble) }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        self.generator = SeededGenerator(seed: generator.next())
        return inputShape
    }

    /// The copy has a generator of its own (from the same state): copies are for inference,
    /// where dropout draws nothing.
    public func sharingWeights() -> any Layer {
        let copy = Dropout(rate: rate)
        copy.generator = generator
        return copy
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        lastWasTraining = training && rate > 0
        guard lastWasTraining else { return input }
        mask.resize(rows: input.rows, columns: input.columns)
        output.resize(rows: input.rows, columns: input.columns)
        let keep = 1 - rate
        let scale = 1 / (1 - rate)
        let m = mask.pointer
        let x = input.pointer
        let y = output.pointer
        // The draws first (the same ones, in the same order), then the mask and the product.
        generator.fillUnitFloats(m, count: input.count)
        for i in 0..<input.count {
            m[i] = m[i] < keep ? scale : 0
            y[i] = x[i] * m[i]
        }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient else { return nil }
        guard lastWasTraining else { return outputGradient }
        inputGradient.resize(rows: outputGradient.rows, columns: outputGradient.columns)
        let m = mask.pointer
        let g = outputGradient.pointer
        let d = inputGradient.pointer
        for i in 0..<outputGradient.count { d[i] = g[i] * m[i] }
        return inputGradient
    }
}
