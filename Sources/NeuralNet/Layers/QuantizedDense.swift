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
    public private(set) var kernel: Parameter!
    public private(set) var kernelScale: Parameter!
    public private(set) var bias: Parameter!
    public private(set) var inputQuantization: Parameter!
    private var packed: Packed?
    private var quantizedInput = [UInt8]()
    private var sums = [Int32]()
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)
    private let dequantizedKernel = Matrix(rows: 0, columns: 0)

    /// The weights packed for one path of the product, with the dequantization's terms.
    private struct Packed {
        let path: Int8Product.Path
        let weights: [UInt8]
        /// `inputScale · kernelScale[o]`.
        let scale: [Float]
        /// `bias[o] − scale[o] · zero · Σ_r kernel[r, o]`.
        let offset: [Float]
        let inputScale: Float
        let zeroPoint: Int32
    }

    public init(units: Int) { self.units = units }

    public var specification: LayerSpecification { LayerSpecification(kind: .quantizedDense, units: units) }

    public var state: [Parameter] { [kernel, kernelScale, bias, inputQuantization] }

    public var inputs: Int { kernel.value.rows }

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
        kernel = Parameter(name: "kernel_int8", rows: inputSize, columns: units, decays: false, storage: .int8)
        kernelScale = Parameter(name: "kernel_scale", rows: 1, columns: units, decays: false)
        bias = Parameter(name: "bias", rows: 1, columns: units, decays: false)
        inputQuantization = Parameter(name: "input_quantization", rows: 1, columns: 2, decays: false)
        kernelScale.value.fill(1)
        inputQuantization.value.pointer[0] = 1
        return [units]
    }

    public func sharingWeights() -> any Layer {
        let copy = QuantizedDense(units: units)
        copy.kernel = kernel
        copy.kernelScale = kernelScale
        copy.bias = bias
        copy.inputQuantization = inputQuantization
        return copy
    }

    public func tensorProblem() -> (name: String, reason: String)? {
        let weights = kernel.value.buffer
        if let bad = weights.firstIndex(where: { !($0 >= -127 && $0 <= 127 && $0 == $0.rounded()) }) {
            return (kernel.name, "holds \(weights[bad]) at index \(bad); 8-bit weights must be integers in [-127, 127]")
        }
        let scales = kernelScale.value.buffer
        if let bad = scales.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            return (kernelScale.name, "holds \(scales[bad]) at index \(bad); scales must be finite and above 0")
        }
        let (scale, zero) = (inputQuantization.value.pointer[0], inputQuantization.value.pointer[1])
        guard scale.isFinite, scale > 0 else {
            return (inputQuantization.name, "holds the input scale \(scale); it must be finite and above 0")
        }
        guard zero >= 0, zero <= 255, zero == zero.rounded() else {
            return (inputQuantization.name, "holds the zero point \(zero); it must be an integer in [0, 255]")
        }
        return nil
    }

    private func prepared() -> Packed {
        if let packed { return packed }
        let (k, n) = (inputs, units)
        let path = Int8Product.best
        let integers = kernel.value.buffer.map { Int8(max(-127, min(127, $0.rounded()))) }
        var weights = [UInt8](repeating: 0, count: Int8Product.packedBytes(k: k, n: n))
        integers.withUnsafeBufferPointer { source in
            weights.withUnsafeMutableBytes {
                Int8Product.pack(source.baseAddress!, k: k, n: n, path: path, into: $0.baseAddress!)
            }
        }
        let inputScale = inputQuantization.value.pointer[0]
        let zero = inputQuantization.value.pointer[1]
        var scale = [Float](repeating: 0, count: n)
        var offset = [Float](repeating: 0, count: n)
        for o in 0..<n {
            var sum = 0
            for r in 0..<k { sum += Int(integers[r * n + o]) }
            scale[o] = inputScale * kernelScale.value.pointer[o]
            offset[o] = Float(Double(bias.value.pointer[o]) - Double(scale[o]) * Double(zero) * Double(sum))
        }
        let made = Packed(
            path: path, weights: weights, scale: scale, offset: offset, inputScale: inputScale,
            zeroPoint: Int32(zero))
        packed = made
        return made
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        let plan = prepared()
        let (batch, k, n) = (input.rows, inputs, units)
        let depth = Int8Product.paddedDepth(k)
        let columns = Int8Product.paddedColumns(n)
        if quantizedInput.count < batch * depth {
            quantizedInput = [UInt8](repeating: 0, count: batch * depth)
        }
        if sums.count < batch * columns { sums = [Int32](repeating: 0, count: batch * columns) }
        output.resize(rows: batch, columns: n)
        quantizedInput.withUnsafeMutableBufferPointer { q in
            for row in 0..<batch {
                Int8Product.quantize(
                    input.pointer + row * input.columns, count: k, scale: plan.inputScale, zeroPoint: plan.zeroPoint,
                    into: q.baseAddress! + row * depth)
            }
            sums.withUnsafeMutableBufferPointer { c in
                plan.weights.withUnsafeBytes { w in
                    Int8Product.multiply(
                        m: batch, n: n, k: k, a: q.baseAddress!, lda: depth, packed: w.baseAddress!, path: plan.path,
                        c: c.baseAddress!, ldc: columns)
                }
                Int8Product.dequantize(
                    c.baseAddress!, ldc: columns, m: batch, n: n, scale: plan.scale, offset: plan.offset,
                    into: output.pointer, ldy: n)
            }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient else { return nil }
        let (batch, k, n) = (outputGradient.rows, inputs, units)
        if dequantizedKernel.rows != k || dequantizedKernel.columns != n {
            dequantizedKernel.resize(rows: k, columns: n)
            for r in 0..<k {
                for o in 0..<n {
                    dequantizedKernel.pointer[r * n + o] =
                        kernel.value.pointer[r * n + o] * kernelScale.value.pointer[o]
                }
            }
        }
        inputGradient.resize(rows: batch, columns: k)
        MatrixProduct.multiply(
            transposeA: false, transposeB: true, m: batch, n: k, k: n,
            a: outputGradient.pointer, lda: n, b: dequantizedKernel.pointer, ldb: n,
            beta: 0, c: inputGradient.pointer, ldc: k)
        return inputGradient
    }
}

/// A layer whose tensors must meet conditions beyond their shapes and finiteness (a quantized
/// layer's scales above 0); a model file is refused when they are not met.
public protocol ChecksItsTensors {
    /// The first tensor (by its name in the layer) that breaks a condition, and how.
    func tensorProblem() -> (name: String, reason: String)?
}
