import NumericCore

/// A trainable tensor: its values and the gradient of the loss with respect to them, of the
/// same shape. Weights are `[inputSize, units]` (Keras's kernel layout), biases `[1, units]`.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Matrix
    public let gradient: Matrix
    /// Whether L2 regularisation and weight decay apply (kernels yes, biases and scales no).
    public let decays: Bool
    /// How a model file stores the values: 32-bit floats, or (a quantized layer's weights,
    /// integers in [-127, 127]) signed bytes.
    public let storage: Storage

    /// A model file's tensor type for a parameter.
    public enum Storage: Sendable {
        case float32, int8
    }

    public init(name: String, rows: Int, columns: Int, decays: Bool, storage: Storage = .float32) {
        self.name = name
        value = Matrix(rows: rows, columns: columns)
        gradient = Matrix(rows: rows, columns: columns)
        self.decays = decays
        self.storage = storage
    }

    public var shape: [Int] { value.rows == 1 ? [value.columns] : [value.rows, value.columns] }
}
