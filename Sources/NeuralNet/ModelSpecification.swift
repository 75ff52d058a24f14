import Foundation
import NumericCore

/// A sequential architecture as data: the input size and the layers in order. Model files
/// and experiment files store this; `Sequential(specification:seed:)` builds it.
public struct ModelSpecification: Codable, Equatable, Sendable {
    public var inputSize: Int
    /// `[height, width, channels]` for models of images (convolutions, pooling); nil for a
    /// flat input of `inputSize` features.
    public var inputShape: [Int]?
    public var layers: [LayerSpecification]

    public init(inputSize: Int, inputShape: [Int]? = nil, layers: [LayerSpecification]) {
        self.inputSize = inputSize
        self.inputShape = inputShape
        self.layers = layers
    }

    /// The same layers for images of `shape` and `classes` classes: the input shape (or, for
    /// a flat input, its size) becomes the data's, and the last dense layer gets `classes`
    /// units. A preset made for Fashion-MNIST thus trains on a folder of 64x64 colour photos
    /// of five classes.
    ///
    /// With `multiLabel`, a final softmax becomes a sigmoid (`Tagging.model`).
    public func adapted(toImages shape: ImageShape, classes: Int, multiLabel: Bool = false) -> ModelSpecification {
        var adapted = self
        adapted.inputSize = shape.valueCount
        if inputShape != nil { adapted.inputShape = shape.dimensions }
        if let last = adapted.layers.lastIndex(where: { $0.kind == .dense }) { adapted.layers[last].units = classes }
        return multiLabel ? Tagging.model(adapted) : adapted
    }

    /// A dense network from a compact spec such as `784-128-64-10`: the input size, hidden
    /// layer sizes (each followed by `activation`), and the number of classes (followed by
    /// softmax).
    public static func parse(compact text: String, activation: LayerSpecification.Kind = .relu) throws(ModelError)
        -> ModelSpecification
    {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count >= 2, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw .invalidSpecification(
                "expected sizes joined by '-', input first and classes last, such as 784-128-64-10; found '\(text)'")
        }
        return dense(parts.compactMap { $0 }, activation: activation)
    }

    /// A dense network through `sizes` (input first, classes last; at least two sizes).
    public static func dense(_ sizes: [Int], activation: LayerSpecification.Kind = .relu) -> ModelSpecification {
        var layers = [LayerSpecification]()
        for hidden in sizes.dropFirst().dropLast() {
            layers.append(LayerSpecification(kind: .dense, units: hidden))
            layers.append(LayerSpecification(kind: activation))
        }
        layers.append(LayerSpecification(kind: .dense, units: sizes.last ?? 1))
        layers.append(LayerSpecification(kind: .softmax))
        return ModelSpecification(inputSize: sizes.first ?? 1, layers: layers)
    }

    /// The benchmark's reference CNN on 28x28 grayscale images (225,034 parameters).
    public static let referenceCNN = ModelSpecification(
        inputSize: 784, inputShape: [28, 28, 1],
        layers: [
            LayerSpecification(kind: .conv2D, filters: 32, kernelSize: 3), LayerSpecification(kind: .relu),
            LayerSpecification(kind: .maxPool2D),
            LayerSpecification(kind: .conv2D, filters: 64, kernelSize: 3), LayerSpecification(kind: .relu),
            LayerSpecification(kind: .maxPool2D),
            LayerSpecification(kind: .flatten), LayerSpecification(kind: .dense, units: 128),
            LayerSpecification(kind: .relu),
            LayerSpecification(kind: .dropout, rate: 0.5), LayerSpecification(kind: .dense, units: 10),
            LayerSpecification(kind: .softmax),
        ])

    /// A dense network with batch normalisation and dropout after each hidden layer.
    public static let strongMLP = ModelSpecification(
        inputSize: 784,
        layers: [512, 256].flatMap { units in
            [
                LayerSpecification(kind: .dense, units: units), LayerSpecification(kind: .batchNorm),
                LayerSpecification(kind: .relu),
                LayerSpecification(kind: .dropout, rate: 0.3),
            ]
        } + [LayerSpecification(kind: .dense, units: 10), LayerSpecification(kind: .softmax)])

    /// The reference CNN with "same" padding (28x28 -> 14x14 -> 7x7) and batch normalisation
    /// after each pooling (a quarter of the values to normalise that it would have before), and
    /// dropout 0.25 (chosen on the validation split over 0.4 and 0.1: 0.9365 and 0.9410 for
    /// seeds 1 and 2 against 0.4's 0.9352 and 0.9387).
    public static let smallCNN = ModelSpecification(
        inputSize: 784, inputShape: [28, 28, 1],
        layers: [
            LayerSpecification(kind: .conv2D, filters: 32, kernelSize: 3, padding: .same),
            LayerSpecification(kind: .relu),
            LayerSpecification(kind: .maxPool2D), LayerSpecification(kind: .batchNorm),
            LayerSpecification(kind: .conv2D, filters: 64, kernelSize: 3, padding: .same),
            LayerSpecification(kind: .relu),
            LayerSpecification(kind: .maxPool2D), LayerSpecification(kind: .batchNorm),
            LayerSpecification(kind: .flatten), LayerSpecification(kind: .dense, units: 128),
            LayerSpecification(kind: .relu),
            LayerSpecification(kind: .dropout, rate: 0.25), LayerSpecification(kind: .dense, units: 10),
            LayerSpecification(kind: .softmax),
        ])

    /// Four same-padded 3x3 convolutions (32; 64, 64; 128) with batch normalisation, three max
    /// poolings (28 -> 14 -> 7 -> 3), Dense 256 and dropout 0.4: 30 MFLOP an image forward.
    public static let bestCNN: ModelSpecification = {
        func convolution(_ filters: Int) -> [LayerSpecification] {
            [
                LayerSpecification(kind: .conv2D, filters: filters, kernelSize: 3, padding: .same),
                LayerSpecification(kind: .batchNorm),
                LayerSpecification(kind: .relu),
            ]
        }
        let pool = LayerSpecification(kind: .maxPool2D)
        return ModelSpecification(
            inputSize: 784, inputShape: [28, 28, 1],
            layers:
                convolution(32) + [pool] + convolution(64) + convolution(64) + [pool] + convolution(128) + [pool] + [
                    LayerSpecification(kind: .flatten), LayerSpecification(kind: .dense, units: 256),
                    LayerSpecification(kind: .relu),
                    LayerSpecification(kind: .dropout, rate: 0.4), LayerSpecification(kind: .dense, units: 10),
                    LayerSpecification(kind: .softmax),
                ])
    }()

    /// A short outline for tables: the compact form of a dense network, else the input shape
    /// and the shaping layers, such as `28x28x1-C32k3-P2-C64k3-P2-128-10` (C: convolution with
    /// its filters, kernel size, stride when not 1 and `same` for same padding; P: pooling;
    /// GAP: global average pooling; R[...]: a residual block; numbers: dense layers).
    public var outline: String {
        if let compact { return compact }
        func code(_ layer: LayerSpecification) -> String? {
            switch layer.kind {
            case .dense: return "\(layer.units ?? 0)"
            case .quantizedDense: return "q\(layer.units ?? 0)"
            case .conv2D, .quantizedConv2D:
                let stride = layer.stride.map { "s\($0)" } ?? ""
                return "C\(layer.filters ?? 0)k\(layer.kernelSize ?? 0)\(stride)\(layer.padding == .same ? "same" : "")"
            case .maxPool2D, .averagePool2D: return "P\(layer.kernelSize ?? 2)"
            case .globalAveragePool: return "GAP"
            case .residual: return "R[" + (layer.layers ?? []).compactMap(code).joined(separator: "-") + "]"
            default: return nil
            }
        }
        let input = (inputShape ?? [inputSize]).map(String.init).joined(separator: "x")
        return ([input] + layers.compactMap(code)).joined(separator: "-")
    }

    /// The compact form, when the model is a plain dense network of one activation.
    public var compact: String? {
        guard inputShape == nil else { return nil }
        var sizes = [inputSize]
        var index = 0
        while index < layers.count {
            guard layers[index].kind == .dense, let units = layers[index].units else { return nil }
            sizes.append(units)
            index += 2
        }
        return sizes.map(String.init).joined(separator: "-")
    }
}
