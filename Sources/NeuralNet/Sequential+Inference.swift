import NumericCore

extension Sequential {
    /// The model as inference runs it: the same function in inference mode, in fewer steps.
    /// - A batch norm right after a convolution or a dense layer is folded into that layer's
    ///   weights: kernel column o times `s[o] = gamma[o] / sqrt(variance[o] + epsilon)`, bias
    ///   `(bias[o] - mean[o]) · s[o] + beta[o]`. A convolution, its ReLU and a 2x2 max pooling
    ///   then run as one step (`ConvolutionMaxPool`), as they do where no batch norm sits between.
    /// - A batch norm before a dense layer (a Flatten between the two or not) is folded into the
    ///   dense layer: kernel row r times `s[c]`, bias plus `Σ_r kernel[r, o] · t[c]` with `t =
    ///   beta - mean · s` and c the channel of input r (r mod the batch norm's features). Before a
    ///   convolution it stays: the zeros of a padded image are not normalised.
    /// - Dropout, the identity at inference, is left out.
    /// - Convolutions keep their transformed (Winograd) kernels from the first call on, as no
    ///   weight changes.
    ///
    /// The values are the layers' to rounding (the products are of other numbers: the folded
    /// weights); a batch still gives each image the same numbers as classifying it alone. Folded
    /// weights are copies: training the original afterwards does not change this model.
    public func inferenceModel() -> Sequential {
        var specifications = [LayerSpecification]()
        var tensors = [[[Float]]]()
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            if layer is Dropout {
                i += 1
                continue
            }
            var values = (layer.parameters + layer.state).map { $0.value.values }
            if layer is Conv2D || layer is Dense, i + 1 < layers.count, let norm = layers[i + 1] as? BatchNorm,
                let (scale, shift) = Self.affine(of: norm), values.count == 2, values[1].count == scale.count
            {
                // values: kernel [depth, outputs] row-major, bias [outputs].
                let outputs = scale.count
                for index in values[0].indices { values[0][index] *= Float(scale[index % outputs]) }
                for o in 0..<outputs { values[1][o] = Float(Double(values[1][o]) * scale[o] + shift[o]) }
                specifications.append(layer.specification)
                tensors.append(values)
                i += 2
                continue
            }
            if let norm = layer as? BatchNorm, let (scale, shift) = Self.affine(of: norm) {
                let next = i + 1 < layers.count && layers[i + 1] is Flatten ? i + 2 : i + 1
                if next < layers.count, let dense = layers[next] as? Dense {
                    let kernel = dense.kernel.value
                    var weights = kernel.values
                    var bias = dense.bias.value.values
                    let (inputs, outputs, channels) = (kernel.rows, kernel.columns, scale.count)
                    if inputs % channels == 0 {
                        var added = [Double](repeating: 0, count: outputs)
                        for r in 0..<inputs {
                            let c = r % channels
                            for o in 0..<outputs {
                                added[o] += Double(weights[r * outputs + o]) * shift[c]
                                weights[r * outputs + o] = Float(Double(weights[r * outputs + o]) * scale[c])
                            }
                        }
                        for o in 0..<outputs { bias[o] = Float(Double(bias[o]) + added[o]) }
                        if next == i + 2 {
                            specifications.append(layers[i + 1].specification)
                            tensors.append([])
                        }
                        specifications.append(dense.specification)
                        tensors.append([weights, bias])
                        i = next + 1
                        continue
                    }
                }
            }
            specifications.append(layer.specification)
            tensors.append(values)
            i += 1
        }
        let specification = ModelSpecification(
            inputSize: inputSize, inputShape: inputShape.count > 1 ? inputShape : nil, layers: specifications)
        // It cannot fail (the same layers were built before); if it did, the layers as they are.
        guard let model = try? Sequential(specification: specification, seed: 0) else { return sharingWeights() }
        for (layer, values) in zip(model.layers, tensors) {
            let targets = layer.parameters + layer.state
            guard targets.count == values.count else { return sharingWeights() }
            for (target, saved) in zip(targets, values) {
                guard target.value.count == saved.count else { return sharingWeights() }
                saved.withUnsafeBufferPointer { target.value.pointer.update(from: $0.baseAddress!, count: saved.count) }
            }
            (layer as? Conv2D)?.weightsAreFixed = true
        }
        return model
    }

    /// A batch norm's inference function as `x · scale + shift` per feature, in double precision.
    private static func affine(of norm: BatchNorm) -> (scale: [Double], shift: [Double])? {
        let gamma = norm.gamma.value.values
        let beta = norm.beta.value.values
        let mean = norm.movingMean.value.values
        let variance = norm.movingVariance.value.values
        guard gamma.count == beta.count, gamma.count == mean.count, gamma.count == variance.count else { return nil }
        let epsilon = Double(norm.epsilon)
        let scale = gamma.indices.map { Double(gamma[$0]) / (Double(variance[$0]) + epsilon).squareRoot() }
        let shift = gamma.indices.map { Double(beta[$0]) - Double(mean[$0]) * scale[$0] }
        return (scale, shift)
    }
}
