import NumericCore

/// A dense layer with 8-bit weights and inputs, for inference (`fashion quantize` makes it from
/// a trained `Dense`): `output = scale[o] · Σ_r q(input)[r] · kernel[r, o] + offset[o]` with the
/// sum in 32-bit integers (`Int8Product`: VNNI, AVX2 or plain loops, the same sums on each).
///
/// - Tensors: `kernel_int8` `[inputs, units]` (integers in [-127, 127], stored as I8), its
///   scale per output `kernel_scale` `[units]` (symmetric: weight = kernel · scale), `bias`
///   `[units]`, and `input_quantization` `[2]`: the input's scale and zero point (asymmetric,
///   as ONNX's QuantizeLinear to uint8: `q = clamp(round(x / scale) + zero, 0, 255)`).
/// - Nothing of it trains. `backward` gives the input gradient of the dequantized layer
///   (`input · (kernel · scale) + bias`, the straight-through estimate), for explanations.
/// - Each copy packs the weights for its CPU path on its first forward; the tensors must not
///   change after that.
public final class QuantizedDense: Layer, ChecksItsTensors {
    public let units: Int
    private var tensors: Int8Tensors!
    private var packing: Int8Packing?
    private var quantizedInput = [UInt8]()
    private var sums = [Int32]()
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)
    private var dequantized = [Float]()

    public init(units: Int) { self.units = units }

    public var specification: LayerSpecification { LayerSpecification(kind: .quantizedDense, units: units) }

    public var state: [Parameter] { tensors.all }
    public var kernel: Parameter { tensors.kernel }
    public var kernelScale: Parameter { tensors.kernelScale }
    public var bias: Parameter { tensors.bias }
    public var inputQuantization: Parameter { tensors.inputQuantization }
    public var inputs: Int { tensors.depth }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        let inputSize = try ModelLimits.values(inputShape, of: "a quantized dense layer's input")
        guard inputSize > 0 else {
            throw .invalidSpecification("a quantized dense layer needs at least one input feature")
        }
        _ = try ModelLimits.values([inputSize, units], of: "a quantized dense layer's kernel")
        // The 32-bit sums hold 255 · 127 · inputs exactly up to 66,000 inputs.
        guard inputSize <= 65_000 else {
            throw .invalidSpecification(
                "a quantized dense layer takes at most 65,000 inputs (its 32-bit sums), found \(inputSize)")
        }
        tensors = Int8Tensors(depth: inputSize, outputs: units)
        return [units]
    }

    public func sharingWeights() -> any Layer {
        let copy = QuantizedDense(units: units)
        copy.tensors = tensors
        return copy
    }

    public func tensorProblem() -> (name: String, reason: String)? { tensors.problem() }

    /// Sets the weights from a dense layer's, with the input range seen in calibration.
    func quantize(_ dense: Dense, inputLow: Float, inputHigh: Float) {
        tensors.set(
            kernel: dense.kernel.value.pointer, bias: dense.bias.value.pointer, inputLow: inputLow,
            inputHigh: inputHigh)
        packing = nil
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        let plan = packing ?? tensors.packed()
        packing = plan
        let (batch, k) = (input.rows, inputs)
        let depth = Int8Product.paddedDepth(k)
        if quantizedInput.count < batch * depth { quantizedInput = [UInt8](repeating: 0, count: batch * depth) }
        output.resize(rows: batch, columns: units)
        quantizedInput.withUnsafeMutableBufferPointer { q in
            for row in 0..<batch {
                plan.quantize(input.pointer + row * input.columns, count: k, into: q.baseAddress! + row * depth)
            }
            plan.apply(rows: q.baseAddress!, count: batch, rowStride: depth, sums: &sums, into: output.pointer)
        }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient else { return nil }
        let (batch, k, n) = (outputGradient.rows, inputs, units)
        if dequantized.count != k * n { dequantized = tensors.dequantizedKernel() }
        inputGradient.resize(rows: batch, columns: k)
        dequantized.withUnsafeBufferPointer { w in
            MatrixProduct.multiply(
                transposeA: false, transposeB: true, m: batch, n: k, k: n,
                a: outputGradient.pointer, lda: n, b: w.baseAddress!, ldb: n,
                beta: 0, c: inputGradient.pointer, ldc: k)
        }
        return inputGradient
    }
}

/// A layer whose tensors must meet conditions beyond their shapes and finiteness (a quantized
/// layer's scales above 0); a model file is refused when they are not met.
public protocol ChecksItsTensors {
    /// The first tensor (by its name in the layer) that breaks a condition, and how.
    func tensorProblem() -> (name: String, reason: String)?
}
