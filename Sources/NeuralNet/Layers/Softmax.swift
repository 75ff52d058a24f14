import Foundation
import NumericCore

/// Softmax over each row: `output[r, j] = exp(x[r, j] - max_r) / Σ_k exp(x[r, k] - max_r)`.
///
/// - Input and output: `[batch, classes]`. No parameters.
/// - Training a network that ends in Softmax uses the fused, numerically stable
///   `SoftmaxCrossEntropy` on the logits instead of this layer's forward and backward.
public final class Softmax: Layer {
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init() {}

    public var specification: LayerSpecification { LayerSpecification(kind: .softmax) }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public func sharingWeights() -> any Layer { Softmax() }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        output.resize(rows: input.rows, columns: input.columns)
        for row in 0..<input.rows {
            Softmax.softmaxRow(
                input.pointer + row * input.columns, into: output.pointer + row * input.columns, count: input.columns)
        }
        return output
    }

    /// dInput[j] = y[j] * (dOutput[j] - Σ_k dOutput[k] y[k]).
    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient else { return nil }
        let columns = output.columns
        inputGradient.resize(rows: output.rows, columns: columns)
        for row in 0..<output.rows {
            let y = output.pointer + row * columns
            let g = outputGradient.pointer + row * columns
            var dot: Float = 0
            for j in 0..<columns { dot += g[j] * y[j] }
            let d = inputGradient.pointer + row * columns
            for j in 0..<columns { d[j] = y[j] * (g[j] - dot) }
        }
        return inputGradient
    }

    /// Softmax of one row, shifted by its maximum so that exp never overflows.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for j in 0..<count { maximum = max(maximum, x[j]) }
        var sum: Float = 0
        for j in 0..<count {
            let e = expf(x[j] - maximum)
            y[j] = e
            sum += e
        }
        let inverse = 1 / sum
        for j in 0..<count { y[j] *= inverse }
    }
}
