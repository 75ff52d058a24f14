import NumericCore

/// How a model file's 8-bit layers were made (its metadata `quantization`).
public struct QuantizationRecord: Codable, Equatable, Sendable {
    /// "int8".
    public var precision: String
    /// How many layers became 8-bit (dense layers and convolutions).
    public var layers: Int
    /// How many images calibrated the inputs' ranges.
    public var calibrationImages: Int
    /// The scheme, in words.
    public var method: String

    public static let int8Method =
        "weights symmetric per output (scale = max |w| / 127); each layer's input asymmetric per tensor, uint8, "
        + "its range the minimum and maximum over the calibration images (0 included)"

    public init(precision: String, layers: Int, calibrationImages: Int, method: String) {
        self.precision = precision
        self.layers = layers
        self.calibrationImages = calibrationImages
        self.method = method
    }
}

extension Sequential {
    /// The model with each dense layer and convolution of its inference plan (`inferenceModel()`,
    /// batch norms folded) made 8-bit (`QuantizedDense`, `QuantizedConv2D`): weights symmetric
    /// per output, `scale = max |w| / 127`; each such layer's input range the minimum and maximum
    /// it sees over `calibration` (`[images, inputSize]`, prepared as for prediction), with 0
    /// inside, as uint8 with a zero point. Other layers are as in the plan, 32-bit; so are the
    /// layers inside residual blocks. Throws when the model has no such layer or `calibration`
    /// has no image.
    public func quantizedInt8(calibration: Matrix, batchSize: Int = 256) throws(ModelError) -> (
        model: Sequential, record: QuantizationRecord
    ) {
        guard calibration.rows > 0, calibration.columns == inputSize else {
            throw .invalidSpecification(
                "calibration needs images of \(inputSize) values, found \(calibration.rows) of \(calibration.columns)")
        }
        let plan = inferenceModel()
        let quantizedIndices = plan.layers.indices.filter {
            plan.layers[$0] is Dense || (plan.layers[$0] is Conv2D && !Self.staysFast(at: $0, in: plan.layers))
        }
        guard !quantizedIndices.isEmpty else {
            throw .invalidSpecification(
                "the model has no dense layer or convolution to quantize (only those become 8-bit)")
        }
        var low = [Int: Float]()
        var high = [Int: Float]()
        for index in quantizedIndices { (low[index], high[index]) = (0, 0) }
        let chunk = Matrix(rows: 0, columns: inputSize)
        var start = 0
        while start < calibration.rows {
            let count = min(max(1, batchSize), calibration.rows - start)
            chunk.resize(rows: count, columns: inputSize)
            chunk.pointer.update(from: calibration.pointer + start * inputSize, count: count * inputSize)
            var x = chunk
            for (index, layer) in plan.layers.enumerated() {
                if var lowest = low[index], var highest = high[index] {
                    for value in x.buffer where value.isFinite {
                        lowest = min(lowest, value)
                        highest = max(highest, value)
                    }
                    (low[index], high[index]) = (lowest, highest)
                }
                x = layer.forward(x, training: false)
            }
            start += count
        }
        var specifications = plan.specification.layers
        for index in quantizedIndices {
            var changed = specifications[index]
            changed.kind = changed.kind == .dense ? .quantizedDense : .quantizedConv2D
            changed.initializer = nil
            specifications[index] = changed
        }
        let specification = ModelSpecification(
            inputSize: inputSize, inputShape: inputShape.count > 1 ? inputShape : nil, layers: specifications)
        let model = try Sequential(specification: specification, seed: 0)
        for (index, (source, target)) in zip(plan.layers, model.layers).enumerated() {
            if let dense = source as? Dense, let quantized = target as? QuantizedDense {
                quantized.quantize(dense, inputLow: low[index]!, inputHigh: high[index]!)
                continue
            }
            if let conv = source as? Conv2D, let quantized = target as? QuantizedConv2D {
                quantized.quantize(conv, inputLow: low[index]!, inputHigh: high[index]!)
                continue
            }
            for (from, to) in zip(source.parameters + source.state, target.parameters + target.state) {
                to.value.pointer.update(from: from.value.pointer, count: min(from.value.count, to.value.count))
            }
        }
        return (
            model,
            QuantizationRecord(
                precision: "int8", layers: quantizedIndices.count, calibrationImages: calibration.rows,
                method: QuantizationRecord.int8Method)
        )
    }

    /// Whether the convolution at `index` stays 32-bit: one input channel, a 2x2 max pooling
    /// after it (a ReLU between or not) that its 32-bit kernel runs fused, summing in registers.
    /// Its 8-bit form would gather windows of 3 bytes, and measured slower (cnn-small and
    /// cnn-reference, Zen 4: 20-25% of the whole model's speed).
    static func staysFast(at index: Int, in layers: [any Layer]) -> Bool {
        guard let convolution = layers[index] as? Conv2D, convolution.inputShape[2] == 1 else { return false }
        var next = index + 1
        if next < layers.count, layers[next] is ReLU { next += 1 }
        return next < layers.count && ConvolutionMaxPool.fuses(convolution, layers[next])
    }
}
