import NumericCore

/// What the quantized layers share: the four tensors (`kernel_int8` `[depth, outputs]`,
/// integers in [-127, 127] stored as I8; `kernel_scale` `[outputs]`; `bias` `[outputs]`;
/// `input_quantization` `[2]`: the input's scale and zero point), their checks, and the
/// weights packed for the CPU's path with the dequantization's terms.
struct Int8Tensors {
    let kernel: Parameter
    let kernelScale: Parameter
    let bias: Parameter
    let inputQuantization: Parameter

    init(depth: Int, outputs: Int) {
        kernel = Parameter(name: "kernel_int8", rows: depth, columns: outputs, decays: false, storage: .int8)
        kernelScale = Parameter(name: "kernel_scale", rows: 1, columns: outputs, decays: false)
        bias = Parameter(name: "bias", rows: 1, columns: outputs, decays: false)
        inputQuantization = Parameter(name: "input_quantization", rows: 1, columns: 2, decays: false)
        kernelScale.value.fill(1)
        inputQuantization.value.pointer[0] = 1
    }

    var all: [Parameter] { [kernel, kernelScale, bias, inputQuantization] }
    var depth: Int { kernel.value.rows }
    var outputs: Int { kernel.value.columns }
    var inputScale: Float { inputQuantization.value.pointer[0] }
    var zeroPoint: Float { inputQuantization.value.pointer[1] }

    func problem() -> (name: String, reason: String)? {
        let weights = kernel.value.buffer
        if let bad = weights.firstIndex(where: { !($0 >= -127 && $0 <= 127 && $0 == $0.rounded()) }) {
            return (kernel.name, "holds \(weights[bad]) at index \(bad); 8-bit weights must be integers in [-127, 127]")
        }
        let scales = kernelScale.value.buffer
        if let bad = scales.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            return (kernelScale.name, "holds \(scales[bad]) at index \(bad); scales must be finite and above 0")
        }
        guard inputScale.isFinite, inputScale > 0 else {
            return (inputQuantization.name, "holds the input scale \(inputScale); it must be finite and above 0")
        }
        guard zeroPoint >= 0, zeroPoint <= 255, zeroPoint == zeroPoint.rounded() else {
            return (inputQuantization.name, "holds the zero point \(zeroPoint); it must be an integer in [0, 255]")
        }
        return nil
    }

    /// The weights as the dequantized layer uses them: `kernel · scale`, `[depth, outputs]`.
    func dequantizedKernel() -> [Float] {
        let (k, n) = (depth, outputs)
        var values = [Float](repeating: 0, count: k * n)
        for r in 0..<k {
            for o in 0..<n { values[r * n + o] = kernel.value.pointer[r * n + o] * kernelScale.value.pointer[o] }
        }
        return values
    }

    /// Sets the tensors from a 32-bit kernel `[depth, outputs]` and bias, and the input's range.
    func set(kernel w: UnsafePointer<Float>, bias b: UnsafePointer<Float>, inputLow low: Float, inputHigh high: Float) {
        let (k, n) = (depth, outputs)
        for o in 0..<n {
            var largest: Float = 0
            for r in 0..<k { largest = max(largest, abs(w[r * n + o])) }
            let scale = largest > 0 ? largest / 127 : 1
            kernelScale.value.pointer[o] = scale
            for r in 0..<k {
                kernel.value.pointer[r * n + o] = max(-127, min(127, (w[r * n + o] / scale).rounded(.toNearestOrEven)))
            }
        }
        bias.value.pointer.update(from: b, count: n)
        let span = high - low
        let scale = span > 0 && span.isFinite ? span / 255 : 1
        inputQuantization.value.pointer[0] = scale
        inputQuantization.value.pointer[1] = max(0, min(255, (-low / scale).rounded(.toNearestOrEven)))
    }

    func packed() -> Int8Packing { Int8Packing(self) }
}

/// The weights packed for one path of the 8-bit product, with the dequantization's terms.
struct Int8Packing {
    let path: Int8Product.Path
    let weights: [UInt8]
    /// `inputScale · kernelScale[o]`.
    let scale: [Float]
    /// `bias[o] − scale[o] · zero · Σ_r kernel[r, o]`.
    let offset: [Float]
    let inputScale: Float
    let zeroPoint: Int32
    let depth: Int
    let outputs: Int

    init(_ tensors: Int8Tensors) {
        let (k, n) = (tensors.depth, tensors.outputs)
        let path = Int8Product.best
        let integers = tensors.kernel.value.buffer.map { Int8(max(-127, min(127, $0.rounded()))) }
        var weights = [UInt8](repeating: 0, count: Int8Product.packedBytes(k: k, n: n))
        integers.withUnsafeBufferPointer { source in
            weights.withUnsafeMutableBytes {
                Int8Product.pack(source.baseAddress!, k: k, n: n, path: path, into: $0.baseAddress!)
            }
        }
        let zero = tensors.zeroPoint
        var scale = [Float](repeating: 0, count: n)
        var offset = [Float](repeating: 0, count: n)
        for o in 0..<n {
            var sum = 0
            for r in 0..<k { sum += Int(integers[r * n + o]) }
            scale[o] = tensors.inputScale * tensors.kernelScale.value.pointer[o]
            offset[o] = Float(Double(tensors.bias.value.pointer[o]) - Double(scale[o]) * Double(zero) * Double(sum))
        }
        self.path = path
        self.weights = weights
        self.scale = scale
        self.offset = offset
        inputScale = tensors.inputScale
        zeroPoint = Int32(zero)
        depth = k
        outputs = n
    }

    /// `count` values of `x` as bytes.
    func quantize(_ x: UnsafePointer<Float>, count: Int, into q: UnsafeMutablePointer<UInt8>) {
        Int8Product.quantize(x, count: count, scale: inputScale, zeroPoint: zeroPoint, into: q)
    }

    /// The integer sums alone: `sums[i·paddedColumns(outputs) + o]` for `count` rows.
    func sum(rows: UnsafePointer<UInt8>, count: Int, rowStride: Int, sums: inout [Int32]) {
        let columns = Int8Product.paddedColumns(outputs)
        if sums.count < count * columns { sums = [Int32](repeating: 0, count: count * columns) }
        sums.withUnsafeMutableBufferPointer { c in
            weights.withUnsafeBytes { w in
                Int8Product.multiply(
                    m: count, n: outputs, k: depth, a: rows, lda: rowStride, packed: w.baseAddress!, path: path,
                    c: c.baseAddress!, ldc: columns)
            }
        }
    }

    /// `y[i·outputs + o] = scale[o] · Σ_r rows[i·rowStride + r] · kernel[r, o] + offset[o]` for
    /// `count` rows (`sums`: scratch, grown as needed).
    func apply(
        rows: UnsafePointer<UInt8>, count: Int, rowStride: Int, sums: inout [Int32], into y: UnsafeMutablePointer<Float>
    ) {
        sum(rows: rows, count: count, rowStride: rowStride, sums: &sums)
        let columns = Int8Product.paddedColumns(outputs)
        sums.withUnsafeBufferPointer { c in
            Int8Product.dequantize(
                c.baseAddress!, ldc: columns, m: count, n: outputs, scale: scale, offset: offset, into: y, ldy: outputs)
        }
    }
}
