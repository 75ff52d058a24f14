import NumericCore

/// The mean of each channel over the whole image, as Keras's GlobalAveragePooling2D.
///
/// - Input: `[batch, height, width, channels]`. Output: `[batch, channels]`. No parameters.
public final class GlobalAveragePool: Layer {
    private var inputShape = [0, 0, 0]
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init() {}

    public var specification: LayerSpecification { LayerSpecification(kind: .globalAveragePool) }

    public func build(inputShape shape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        guard shape.count == 3 else {
            throw .invalidSpecification("global average pooling needs images [height, width, channels], found \(shape)")
        }
        inputShape = shape
        return [shape[2]]
    }

    public func sharingWeights() -> any Layer {
        let copy = GlobalAveragePool()
        copy.inputShape = inputShape
        return copy
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        let batch = input.rows
        let channels = inputShape[2]
        let pixels = inputShape[0] * inputShape[1]
        output.resize(rows: batch, columns: channels)
        output.fill(0)
        for b in 0..<batch {
            let image = input.pointer + b * pixels * channels
            let y = output.pointer + b * channels
            for p in 0..<pixels { for c in 0..<channels { y[c] += image[p * channels + c] } }
            for c in 0..<channels { y[c] /= Float(pixels) }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient else { return nil }
        let batch = outputGradient.rows
        let channels = inputShape[2]
        let pixels = inputShape[0] * inputShape[1]
        inputGradient.resize(rows: batch, columns: pixels * channels)
        for b in 0..<batch {
            let dy = outputGradient.pointer + b * channels
            let image = inputGradient.pointer + b * pixels * channels
            for p in 0..<pixels { for c in 0..<channels { image[p * channels + c] = dy[c] / Float(pixels) } }
        }
        return inputGradient
    }
}
