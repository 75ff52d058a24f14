import NumericCore

/// How a model file's 8-bit layers were made (its metadata `quantization`).
public struct QuantizationRecord: Codable, Equatable, Sendable {
    /// "int8".
    public var precision: String
    /// How many dense layers became 8-bit.
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
    /// The model with each dense layer of its inference plan (`inferenceModel()`, batch norms
    /// folded) made 8-bit (`QuantizedDense`): weights symmetric per output, `scale = max |w| /
    /// 127`; each such layer's input range the minimum and maximum it sees over `calibration`
    /// (`[images, inputSize]`, prepared as for prediction), with 0 inside, as uint8 with a zero
    /// point. Other layers are as in the plan, 32-bit. Dense layers inside residual blocks stay
    /// 32-bit. Throws when the model has no dense layer or `calibration` has no image.
    public func quantizedInt8(calibration: Matrix, batchSize: Int = 256) throws(ModelError) -> (
        model: Sequential, record: QuantizationRecord
    ) {
        guard calibration.rows > 0, calibration.columns == inputSize else {
            throw .invalidSpecification(
                "calibration needs images of \(inputSize) values, found \(calibration.rows) of \(calibration.columns)")
        }
        let plan = inferenceModel()
        let denseIndices = plan.layers.indices.filter { plan.layers[$0] is Dense }
        guard !denseIndices.isEmpty else {
            throw .invalidSpecification("the model has no dense layer to quantize (only dense layers become 8-bit)")
        }
        var low = [Int: Float]()
        var high = [Int: Float]()
        for index in denseIndices { (low[index], high[index]) = (0, 0) }
        let chunk = Matrix(rows: 0, columns: inputSize)
        var start = 0
        while start < calibration.rows {
            let count = min(max(1, batchSize), calibration.rows - start)
            chunk.resize(rows: count, columns: inputSize)
            chunk.pointer.update(from: calibration.pointer + start * inputSize, count: count * inputSize)
            var x = chunk
            for (index, layer) in plan.layers.enumerated() {
                if layer is Dense {
                    for value in x.buffer where value.isFinite {
                        low[index] = min(low[index]!, value)
                        high[index] = max(high[index]!, value)
                    }
                }
                x = layer.forward(x, training: false)
            }
            start += count
        }
        var specifications = plan.specification.layers
        for index in denseIndices {
            specifications[index] = LayerSpecification(kind: .quantizedDense, units: specifications[index].units)
        }
        let specification = ModelSpecification(
            inputSize: inputSize, inputShape: inputShape.count > 1 ? inputShape : nil, layers: specifications)
        let model = try Sequential(specification: specification, seed: 0)
        for (index, (source, target)) in zip(plan.layers, model.layers).enumerated() {
            if let dense = source as? Dense, let quantized = target as? QuantizedDense {
                Self.quantize(dense, into: quantized, low: low[index]!, high: high[index]!)
                continue
            }
            for (from, to) in zip(source.parameters + source.state, target.parameters + target.state) {
                to.value.pointer.update(from: from.value.pointer, count: min(from.value.count, to.value.count))
            }
        }
        return (
            model,
            QuantizationRecord(
                precision: "int8", layers: denseIndices.count, calibrationImages: calibration.rows,
                method: QuantizationRecord.int8Method)
        )
    }

    private static func quantize(_ dense: Dense, into layer: QuantizedDense, low: Float, high: Float) {
        let (k, n) = (dense.kernel.value.rows, dense.units)
        let w = dense.kernel.value.pointer
        for o in 0..<n {
            var largest: Float = 0
            for r in 0..<k { largest = max(largest, abs(w[r * n + o])) }
            let scale = largest > 0 ? largest / 127 : 1
            layer.kernelScale.value.pointer[o] = scale
            for r in 0..<k {
                layer.kernel.value.pointer[r * n + o] = max(
                    -127, min(127, (w[r * n + o] / scale).rounded(.toNearestOrEven)))
            }
        }
        layer.bias.value.pointer.update(from: dense.bias.value.pointer, count: n)
        let span = high - low
        let scale = span > 0 && span.isFinite ? span / 255 : 1
        let zero = max(0, min(255, (-low / scale).rounded(.toNearestOrEven)))
        layer.inputQuantization.value.pointer[0] = scale
        layer.inputQuantization.value.pointer[1] = zero
    }
}
