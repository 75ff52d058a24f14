import NumericCore

/// The identity on `[batch, features]`: images arrive already flattened (`[batch, 784]`), so
/// Flatten only marks where a convolutional stack would end. No parameters.
public final class Flatten: Layer {
    public init() {}
    public var specification: LayerSpecification { LayerSpecification(kind: .flatten) }
    /// NHWC images are already stored flat, pixel by pixel: flattening only drops the shape.
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        [inputShape.reduce(1, *)]
    }
    public func sharingWeights() -> any Layer { Flatten() }
    public func forward(_ input: Matrix, training: Bool) -> Matrix { input }
    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        needsInputGradient ? outputGradient : nil
    }
}
