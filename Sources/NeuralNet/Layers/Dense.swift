import NumericCore

/// A fully connected layer: `output = input · kernel + bias`.
///
/// - Input: `[batch, inputSize]`. Output: `[batch, units]`.
/// - Parameters: kernel `[inputSize, units]` (initialised by `initializer`, Glorot uniform by
///   default, as Keras), bias `[units]` (zeros).
/// - Backward: dKernel = inputᵀ · dOutput, dBias = column sums of dOutput,
///   dInput = dOutput · kernelᵀ.
public final class Dense: Layer {
    public let units: Int
    public let initializer: Initializer
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter!
    private var input: Matrix?
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init(units: Int, initializer: Initializer = .glorotUniform) {
        self.units = units
        self.initializer = initializer
    }

    public var specification: LayerSpecification {
        LayerSpecification(kind: .dense, units: units, initializer: initializer == .glorotUniform ? nil : initializer)
    }

    public var parameters: [Parameter] { [kernel, bias] }

    /// Images are taken flat (`[height·width·channels]` features).
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        let inputSize = try ModelLimits.values(inputShape, of: "a dense layer's input")
        guard inputSize > 0 else { throw .invalidSpecification("a dense layer needs at least one input feature") }
        _ = try ModelLimits.values([inputSize, units], of: "a dense layer's kernel")
        kernel = Parameter(name: "kernel", rows: inputSize, columns: units, decays: true)
        bias = Parameter(name: "bias", rows: 1, columns: units, decays: false)
        initializer.fill(kernel.value, fanIn: inputSize, fanOut: units, generator: &generator)
        return [units]
    }

    public func sharingWeights() -> any Layer {
        let copy = Dense(units: units, initializer: initializer)
        copy.kernel = kernel
        copy.bias = bias
        return copy
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        self.input = input
        let batch = input.rows
        output.resize(rows: batch, columns: units)
        // Start from the bias in every row, then add input · kernel.
        let b = bias.value.pointer
        for row in 0..<batch { (output.pointer + row * units).update(from: b, count: units) }
        MatrixProduct.multiply(
            transposeA: false, transposeB: false, m: batch, n: units, k: kernel.value.rows,
            a: input.pointer, lda: input.columns, b: kernel.value.pointer, ldb: units,
            beta: 1, c: output.pointer, ldc: units)
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard let input else { preconditionFailure("backward before forward") }
        let batch = input.rows
        let inputSize = kernel.value.rows
        MatrixProduct.multiply(
            transposeA: true, transposeB: false, m: inputSize, n: units, k: batch,
            a: input.pointer, lda: input.columns, b: outputGradient.pointer, ldb: units,
            beta: 0, c: kernel.gradient.pointer, ldc: units)
        let db = bias.gradient.pointer
        db.update(repeating: 0, count: units)
        for row in 0..<batch {
            let g = outputGradient.pointer + row * units
            for j in 0..<units { db[j] += g[j] }
        }
        guard needsInputGradient else { return nil }
        inputGradient.resize(rows: batch, columns: inputSize)
        MatrixProduct.multiply(
            transposeA: false, transposeB: true, m: batch, n: inputSize, k: units,
            a: outputGradient.pointer, lda: units, b: kernel.value.pointer, ldb: units,
            beta: 0, c: inputGradient.pointer, ldc: inputSize)
        return inputGradient
    }
}
