import NumericCore

/// How a convolution or pooling window treats the border, as Keras: `valid` uses only whole
/// windows (output = ⌊(input − window) / stride⌋ + 1); `same` pads with zeros so the output
/// is ⌈input / stride⌉, with the extra row or column of padding at the bottom and right.
public enum Padding: String, Codable, Sendable, CaseIterable {
    case valid, same

    /// The output size and the padding before the first element, along one axis.
    public func geometry(input: Int, window: Int, stride: Int) -> (output: Int, before: Int) {
        switch self {
        case .valid: return (input >= window ? (input - window) / stride + 1 : 0, 0)
        case .same:
            let output = (input + stride - 1) / stride
            let total = max(0, (output - 1) * stride + window - input)
            return (output, total / 2)
        }
    }
}
