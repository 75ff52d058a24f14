import NeuralNet
import NumericCore

extension Explainer {
    /// The layers whose output is an image, by index: Grad-CAM's candidates.
    public var imageLayers: [Int] {
        model.layerOutputShapes.enumerated().filter { $0.element.count == 3 }.map(\.offset)
    }

    /// The last layer whose output is an image, Grad-CAM's default.
    public var lastImageLayer: Int? { imageLayers.last }

    /// Grad-CAM (Selvaraju et al. 2017) at the output of layer `layer` (NHWC `[h, w, k]`): the
    /// channels weighted by the mean over the positions of d score / d activation, summed,
    /// ReLU'd, then stretched to the input's size (bilinear, align-corners). One value per
    /// input value (a pixel's channels share it), `[count, inputSize]`.
    public func gradCAM(_ inputs: [Float], classes: [Int], layer: Int) throws(ExplainError) -> [Float] {
        guard let input = ImageShape(model.inputShape) else {
            throw .invalid(
                field: "method",
                reason: "grad-cam needs a model of images; this one takes \(model.inputSize) plain features")
        }
        guard imageLayers.contains(layer) else {
            throw .invalid(
                field: "layer",
                reason:
                    "expected a layer whose output is an image: "
                    + "\(imageLayers.map(String.init).joined(separator: ", ")); found \(layer)"
            )
        }
        let shape = ImageShape(model.layerOutputShapes[layer])!
        let layers = model.layers
        let trainable = model.endsInSoftmax ? layers.count - 1 : layers.count
        var maps = [Float]()
        maps.reserveCapacity(inputs.count)
        var start = 0
        forEachChunk(inputs, count: classes.count) { matrix in
            var x = matrix
            var activations = [Float]()
            for (index, l) in layers[..<trainable].enumerated() {
                x = l.forward(x, training: false)
                if index == layer { activations = x.values }
            }
            var g = scoreGradient(x, classes: classes[start...])
            for l in layers[(layer + 1)..<trainable].reversed() {
                guard let next = l.backward(g, needsInputGradient: true) else { break }
                g = next
            }
            let gradients = g.values
            let positions = shape.pixelCount
            let channels = shape.channels
            for row in 0..<matrix.rows {
                let a = activations[(row * shape.valueCount)...]
                let d = gradients[(row * shape.valueCount)...]
                var weights = [Float](repeating: 0, count: channels)
                for p in 0..<positions { for c in 0..<channels { weights[c] += d[d.startIndex + p * channels + c] } }
                for c in 0..<channels { weights[c] /= Float(positions) }
                var cam = [Float](repeating: 0, count: positions)
                for p in 0..<positions {
                    var sum: Float = 0
                    for c in 0..<channels { sum += weights[c] * a[a.startIndex + p * channels + c] }
                    cam[p] = max(0, sum)
                }
                let stretched = Self.resize(cam, from: (shape.height, shape.width), to: (input.height, input.width))
                for value in stretched { for _ in 0..<input.channels { maps.append(value) } }
            }
            start += matrix.rows
        }
        return maps
    }

    /// Bilinear resizing with the corners aligned (a map of one row or column is constant that way).
    static func resize(_ map: [Float], from: (Int, Int), to: (Int, Int)) -> [Float] {
        var out = [Float](repeating: 0, count: to.0 * to.1)
        for y in 0..<to.0 {
            let sy = to.0 > 1 ? Float(y) * Float(from.0 - 1) / Float(to.0 - 1) : 0
            let y0 = Int(sy)
            let y1 = min(from.0 - 1, y0 + 1)
            let fy = sy - Float(y0)
            for x in 0..<to.1 {
                let sx = to.1 > 1 ? Float(x) * Float(from.1 - 1) / Float(to.1 - 1) : 0
                let x0 = Int(sx)
                let x1 = min(from.1 - 1, x0 + 1)
                let fx = sx - Float(x0)
                let top = map[y0 * from.1 + x0] * (1 - fx) + map[y0 * from.1 + x1] * fx
                let bottom = map[y1 * from.1 + x0] * (1 - fx) + map[y1 * from.1 + x1] * fx
                out[y * to.1 + x] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }
}

/// A request the explainer cannot answer: the field and why.
public enum ExplainError: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): return "\(field): \(reason)"
        }
    }
}
