import NumericCore

/// A trainable tensor: its values and the gradient of the loss with respect to them, of the
/// same shape. Weights are `[inputSize, units]` (Keras's kernel layout), biases `[1, units]`.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Matrix
    public let gradient: Matrix
    /// Whether L2 regularisation and weight decay apply (kernels yes, biases and scales no).
    public let decays: Bool

    public init(name: String, rows: Int, columns: Int, decays: Bool) {
        self.name = name
        value = Matrix(rows: rows, columns: columns)
        gradient = Matrix(rows: rows, columns: columns)
        self.decays = decays
    }

    public var shape: [Int] { value.rows == 1 ? [value.columns] : [value.rows, value.columns] }
}

/// One step of a sequential network. Inputs and outputs are `[batch, features]` matrices.
///
/// A layer owns its output and input-gradient buffers and reuses them every step, so the
/// matrix `forward` returns stays valid only until the layer's next `forward`.
public protocol Layer: AnyObject {
    /// How the layer is described in summaries and model files.
    var specification: LayerSpecification { get }
    /// Allocates the parameters for inputs of `inputSize` features, drawing initial values
    /// from `generator`; returns the number of output features.
    func build(inputSize: Int, generator: inout SeededGenerator) throws(ModelError) -> Int
    /// The output for `input`; `training` switches dropout and batch statistics on.
    func forward(_ input: Matrix, training: Bool) -> Matrix
    /// Given dLoss/dOutput for the last `forward`, writes the parameter gradients and
    /// returns dLoss/dInput (nil when `needsInputGradient` is false, to save the work).
    func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix?
    /// Allocates the parameters for inputs of `inputShape`: `[features]`, or
    /// `[height, width, channels]` for images (one layout throughout: NHWC, each image's pixels
    /// row by row with their channels side by side, so a batch is the matrix
    /// `[batch, height·width·channels]`). Returns the output shape. The default keeps an
    /// image shape when the layer keeps the feature count (activations, dropout) and is flat
    /// otherwise.
    func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int]
    /// The parameters the optimizer updates.
    var parameters: [Parameter] { get }
    /// Values saved with the model that no gradient updates (BatchNorm's running statistics).
    var state: [Parameter] { get }
}

extension Layer {
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        let count = inputShape.reduce(1, *)
        let size = try build(inputSize: count, generator: &generator)
        return size == count ? inputShape : [size]
    }

    public var parameters: [Parameter] { [] }
    public var state: [Parameter] { [] }
}
