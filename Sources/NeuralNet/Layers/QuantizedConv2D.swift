import NumericCore

/// A convolution with 8-bit weights and inputs, for inference (`fashion quantize` makes it from
/// a trained `Conv2D`): each window of the quantized input (the quantized 0 outside the image)
/// times the 8-bit kernel in 32-bit integers (`Int8Product`), then `scale[o] · sum + offset[o]`,
/// as `QuantizedDense` does for a row. Tensors as `QuantizedDense`'s, the kernel `[k·k·channels,
/// filters]` in `Conv2D`'s order. `backward` gives the input gradient of the dequantized
/// convolution (the straight-through estimate), for explanations.
public final class QuantizedConv2D: Layer, ChecksItsTensors {
    public let filters: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding
    private var tensors: Int8Tensors!
    private(set) var inputShape = [0, 0, 0]
    private(set) var outputShape = [0, 0, 0]
    private var padTop = 0
    private var padLeft = 0
    private var packing: Int8Packing?
    private var quantizedInput = [UInt8]()
    private var windows = [UInt8]()
    private var sums = [Int32]()
    private let output = Matrix(rows: 0, columns: 0)
    private var lastInput: Matrix?
    private var dequantized: Conv2D?

    public init(filters: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public var specification: LayerSpecification {
        LayerSpecification(
            kind: .quantizedConv2D, filters: filters, kernelSize: kernelSize, stride: stride == 1 ? nil : stride,
            padding: padding == .valid ? nil : padding)
    }

    public var state: [Parameter] { tensors.all }
    public var kernel: Parameter { tensors.kernel }
    public var kernelScale: Parameter { tensors.kernelScale }
    public var bias: Parameter { tensors.bias }
    public var inputQuantization: Parameter { tensors.inputQuantization }

    public func build(inputShape shape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        guard shape.count == 3 else {
            throw .invalidSpecification(
                "a quantized conv2d layer needs images [height, width, channels], found the shape \(shape)")
        }
        guard filters > 0, kernelSize > 0, stride > 0 else {
            throw .invalidSpecification(
                "a quantized conv2d layer needs filters, kernel size and stride above 0, found \(filters), "
                    + "\(kernelSize), \(stride)")
        }
        let (height, heightPad) = padding.geometry(input: shape[0], window: kernelSize, stride: stride)
        let (width, widthPad) = padding.geometry(input: shape[1], window: kernelSize, stride: stride)
        guard height > 0, width > 0 else {
            throw .invalidSpecification(
                "a \(kernelSize)x\(kernelSize) valid convolution does not fit images of \(shape[0])x\(shape[1])")
        }
        let depth = try ModelLimits.values([kernelSize, kernelSize, shape[2]], of: "a quantized conv2d window")
        _ = try ModelLimits.values([depth, filters], of: "a quantized conv2d kernel")
        _ = try ModelLimits.values([height, width, filters], of: "a quantized conv2d output image")
        guard depth <= 65_000 else {
            throw .invalidSpecification(
                "a quantized conv2d window holds at most 65,000 values (its 32-bit sums), found \(depth)")
        }
        inputShape = shape
        outputShape = [height, width, filters]
        padTop = heightPad
        padLeft = widthPad
        tensors = Int8Tensors(depth: depth, outputs: filters)
        return outputShape
    }

    public func sharingWeights() -> any Layer {
        let copy = QuantizedConv2D(filters: filters, kernelSize: kernelSize, stride: stride, padding: padding)
        copy.tensors = tensors
        copy.inputShape = inputShape
        copy.outputShape = outputShape
        copy.padTop = padTop
        copy.padLeft = padLeft
        return copy
    }

    public func tensorProblem() -> (name: String, reason: String)? { tensors.problem() }

    /// Sets the weights from a convolution's, with the input range seen in calibration.
    func quantize(_ conv: Conv2D, inputLow: Float, inputHigh: Float) {
        tensors.set(
            kernel: conv.kernel.value.pointer, bias: conv.bias.value.pointer, inputLow: inputLow, inputHigh: inputHigh)
        packing = nil
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        lastInput = input
        output.resize(rows: input.rows, columns: outputShape.reduce(1, *))
        run(input, pooled: nil, into: output)
        return output
    }

    /// The forward with a 2x2 max pooling (and a ReLU, `rectifies`) of its output, the sums
    /// pooled before they are dequantized (`QuantizedConvolutionMaxPool`): `output` becomes
    /// `[batch, pooled height·width·filters]`.
    func forwardPooled(_ input: Matrix, pool: Pool2D, rectifies: Bool, into target: Matrix) {
        lastInput = input
        target.resize(rows: input.rows, columns: pool.outputShape.reduce(1, *))
        run(input, pooled: (pool.outputShape[0], pool.outputShape[1], rectifies), into: target)
    }

    private func run(_ input: Matrix, pooled: (height: Int, width: Int, relu: Bool)?, into target: Matrix) {
        let plan = packing ?? tensors.packed()
        packing = plan
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (outputShape[0], outputShape[1])
        let positions = outHeight * outWidth
        let pixels = height * width * channels
        let depth = Int8Product.paddedDepth(tensors.depth)
        let columns = Int8Product.paddedColumns(filters)
        let batch = input.rows
        let imageOutputs = pooled.map { $0.height * $0.width * filters } ?? positions * filters
        // Images a group at a time: the windows of a group and their sums stay in L2.
        let group = max(
            1, min(batch, 262_144 / max(1, positions * depth), 524_288 / max(1, positions * columns * 4)))
        // 8 bytes of room after each buffer: im2col copies 8 bytes at a time.
        if quantizedInput.count < pixels + 8 { quantizedInput = [UInt8](repeating: 0, count: pixels + 8) }
        if windows.count < group * positions * depth + 8 {
            windows = [UInt8](repeating: 0, count: group * positions * depth + 8)
        }
        let zero = UInt8(plan.zeroPoint)
        var start = 0
        while start < batch {
            let count = min(group, batch - start)
            quantizedInput.withUnsafeMutableBufferPointer { q in
                windows.withUnsafeMutableBufferPointer { rows in
                    for image in 0..<count {
                        plan.quantize(
                            input.pointer + (start + image) * input.columns, count: pixels, into: q.baseAddress!)
                        Int8Product.im2col(
                            rows.baseAddress! + image * positions * depth, rowStride: depth, image: q.baseAddress!,
                            height: height, width: width, channels: channels, outHeight: outHeight, outWidth: outWidth,
                            k: kernelSize, stride: stride, padTop: padTop, padLeft: padLeft, zero: zero)
                    }
                    let y = target.pointer + start * imageOutputs
                    guard let pooled else {
                        plan.apply(
                            rows: rows.baseAddress!, count: count * positions, rowStride: depth, sums: &sums, into: y)
                        return
                    }
                    plan.sum(rows: rows.baseAddress!, count: count * positions, rowStride: depth, sums: &sums)
                    sums.withUnsafeBufferPointer { c in
                        for image in 0..<count {
                            Int8Product.dequantizePooled(
                                c.baseAddress! + image * positions * columns, ldc: columns, width: outWidth,
                                n: filters, outHeight: pooled.height, outWidth: pooled.width, scale: plan.scale,
                                offset: plan.offset, relu: pooled.relu, into: y + image * imageOutputs)
                        }
                    }
                }
            }
            start += count
        }
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient, let lastInput else { return nil }
        let shadow: Conv2D
        if let dequantized {
            shadow = dequantized
        } else {
            shadow = Conv2D(filters: filters, kernelSize: kernelSize, stride: stride, padding: padding)
            var generator = SeededGenerator(seed: 0)
            guard (try? shadow.build(inputShape: inputShape, generator: &generator)) != nil else { return nil }
            let values = tensors.dequantizedKernel()
            values.withUnsafeBufferPointer {
                shadow.kernel.value.pointer.update(from: $0.baseAddress!, count: $0.count)
            }
            shadow.bias.value.pointer.update(from: tensors.bias.value.pointer, count: filters)
            dequantized = shadow
        }
        _ = shadow.forward(lastInput, training: false)
        return shadow.backward(outputGradient, needsInputGradient: true)
    }
}

/// A quantized convolution, the 2x2 max pooling right after it and a ReLU after that (if any)
/// as one step of inference: the integer sums are pooled, then dequantized (a quarter of the
/// values) with the ReLU, the same values as the three layers one by one (the dequantization
/// rounds monotonically, its scales above 0). Backward runs the layers one by one.
final class QuantizedConvolutionMaxPool: Layer {
    let convolution: QuantizedConv2D
    let pool: Pool2D
    let rectifier: (any Layer)?
    private let output = Matrix(rows: 0, columns: 0)
    private var input: Matrix?

    static func fuses(_ first: any Layer, _ second: any Layer) -> Bool {
        guard let convolution = first as? QuantizedConv2D, let pool = second as? Pool2D else { return false }
        return pool.isTiledPair && pool.inputShape == convolution.outputShape
    }

    init(_ convolution: QuantizedConv2D, _ pool: Pool2D, rectifier: (any Layer)?) {
        self.convolution = convolution
        self.pool = pool
        self.rectifier = rectifier
    }

    var specification: LayerSpecification { convolution.specification }

    func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] { pool.outputShape }

    func sharingWeights() -> any Layer {
        guard let convolution = convolution.sharingWeights() as? QuantizedConv2D,
            let pool = pool.sharingWeights() as? Pool2D
        else { return self }
        return QuantizedConvolutionMaxPool(convolution, pool, rectifier: rectifier?.sharingWeights())
    }

    func forward(_ input: Matrix, training: Bool) -> Matrix {
        self.input = input
        convolution.forwardPooled(input, pool: pool, rectifies: rectifier != nil, into: output)
        return output
    }

    func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard let input else { return nil }
        var x = convolution.forward(input, training: false)
        x = pool.forward(x, training: false)
        if let rectifier { _ = rectifier.forward(x, training: false) }
        var g: Matrix? = outputGradient
        if let rectifier, let current = g { g = rectifier.backward(current, needsInputGradient: true) }
        if let current = g { g = pool.backward(current, needsInputGradient: true) }
        guard let current = g else { return nil }
        return convolution.backward(current, needsInputGradient: needsInputGradient)
    }
}
