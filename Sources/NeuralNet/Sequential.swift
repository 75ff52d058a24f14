import Foundation
import NumericCore

/// A stack of layers applied in order, built for a given input size with weights drawn
/// from a seed:
///
/// ```swift
/// let model = try Sequential(inputSize: 784, seed: 42) {
///     Dense(units: 128); ReLU()
///     Dense(units: 64); ReLU()
///     Dense(units: 10); Softmax()
/// }
/// ```
///
/// - Input: `[batch, inputSize]`. Output: `[batch, outputSize]` (class probabilities when the
///   last layer is Softmax).
public final class Sequential {
    public let inputSize: Int
    /// `[inputSize]`, or `[height, width, channels]` for a model of images.
    public let inputShape: [Int]
    public let layers: [any Layer]
    public let outputSize: Int
    private let outputShapes: [[Int]]
    /// The kind of the last layer, read once: training asks for it every batch.
    private let lastKind: LayerSpecification.Kind?
    /// The steps that run, in order (see `plan`).
    private let running: [any Layer]

    public convenience init(inputSize: Int, seed: UInt64, @LayerBuilder layers build: () -> [any Layer])
        throws(ModelError)
    {
        try self.init(inputShape: [inputSize], seed: seed, layers: build)
    }

    public init(inputShape: [Int], seed: UInt64, @LayerBuilder layers build: () -> [any Layer]) throws(ModelError) {
        let layers = build()
        guard !layers.isEmpty else { throw .invalidSpecification("a model needs at least one layer") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw .invalidSpecification("the input shape must be positive sizes, found \(inputShape)")
        }
        _ = try ModelLimits.values(inputShape, of: "the model's input")
        var generator = SeededGenerator(seed: seed)
        var shape = inputShape
        var shapes = [[Int]]()
        for layer in layers {
            shape = try layer.build(inputShape: shape, generator: &generator)
            shapes.append(shape)
        }
        self.inputShape = inputShape
        self.inputSize = inputShape.reduce(1, *)
        self.layers = layers
        self.outputShapes = shapes
        self.outputSize = shape.reduce(1, *)
        lastKind = layers.last?.specification.kind
        running = Self.plan(layers)
    }

    /// How the layers run: in `executionOrder`, a convolution that runs Winograd or gathers
    /// windows, then a 2x2 max pooling (and a ReLU after it), as one step (`ConvolutionMaxPool`:
    /// the same function, some sums in another order), every other layer alone.
    static func plan(_ layers: [any Layer]) -> [any Layer] {
        let ordered = executionOrder(layers).map { layers[$0] }
        var steps = [any Layer]()
        var i = 0
        while i < ordered.count {
            if i + 1 < ordered.count, ConvolutionMaxPool.fuses(ordered[i], ordered[i + 1]),
                let convolution = ordered[i] as? Conv2D, let pool = ordered[i + 1] as? Pool2D
            {
                // A ReLU after the pooling joins the step, unless it is the last layer.
                let rectifier = i + 3 < ordered.count && ordered[i + 2] is ReLU ? ordered[i + 2] : nil
                steps.append(ConvolutionMaxPool(convolution, pool, rectifier: rectifier))
                i += rectifier == nil ? 2 : 3
            } else if i + 1 < ordered.count, QuantizedConvolutionMaxPool.fuses(ordered[i], ordered[i + 1]),
                let convolution = ordered[i] as? QuantizedConv2D, let pool = ordered[i + 1] as? Pool2D
            {
                let rectifier = i + 3 < ordered.count && ordered[i + 2] is ReLU ? ordered[i + 2] : nil
                steps.append(QuantizedConvolutionMaxPool(convolution, pool, rectifier: rectifier))
                i += rectifier == nil ? 2 : 3
            } else {
                steps.append(ordered[i])
                i += 1
            }
        }
        return steps
    }

    /// The steps as they run, by the kinds of the layers in each (`conv2d+max_pool2d+relu` for
    /// a fused step): for tests, and to see what a model does.
    public var executionSteps: [String] {
        running.map { step in
            if let fused = step as? ConvolutionMaxPool {
                let kinds: [LayerSpecification.Kind] =
                    [fused.convolution.specification.kind, fused.pool.specification.kind]
                    + (fused.rectifies ? [.relu] : [])
                return kinds.map(\.rawValue).joined(separator: "+")
            }
            if let fused = step as? QuantizedConvolutionMaxPool {
                let kinds: [LayerSpecification.Kind] =
                    [.quantizedConv2D, .maxPool2D] + (fused.rectifier != nil ? [.relu] : [])
                return kinds.map(\.rawValue).joined(separator: "+")
            }
            return step.specification.kind.rawValue
        }
    }

    /// The order the layers run in: as declared, except that a ReLU followed by a max pooling
    /// runs after it. The two commute exactly (max(relu(x)) = relu(max(x)), and the gradient
    /// reaches the same inputs with the same values: a window's maximum when it is positive,
    /// nothing otherwise), and the ReLU then passes over a quarter of the values, forward
    /// and backward. A final Softmax or Sigmoid, which a loss fuses with, never moves.
    public static func executionOrder(_ layers: [any Layer]) -> [Int] {
        var order = Array(layers.indices)
        var i = 0
        while i + 1 < layers.count {
            if layers[i].specification.kind == .relu, let pool = layers[i + 1] as? Pool2D, pool.mode == .max {
                order.swapAt(i, i + 1)
                i += 2
            } else {
                i += 1
            }
        }
        return order
    }

    private init(sharing model: Sequential) {
        inputShape = model.inputShape
        inputSize = model.inputSize
        let layers = model.layers.map { $0.sharingWeights() }
        self.layers = layers
        outputShapes = model.outputShapes
        outputSize = model.outputSize
        lastKind = model.lastKind
        running = Self.plan(layers)
    }

    public convenience init(specification: ModelSpecification, seed: UInt64) throws(ModelError) {
        var layers = [any Layer]()
        for layer in specification.layers { layers.append(try layer.makeLayer()) }
        try self.init(inputShape: specification.inputShape ?? [specification.inputSize], seed: seed) { layers }
    }

    /// The output shape of each layer, in order (`[features]` or `[height, width, channels]`).
    public var layerOutputShapes: [[Int]] { outputShapes }

    /// The same model, its parameters shared (not copied), with buffers of its own: one for
    /// each thread that runs the model in inference mode at the same time as the others.
    public func sharingWeights() -> Sequential { Sequential(sharing: self) }

    public var specification: ModelSpecification {
        ModelSpecification(
            inputSize: inputSize, inputShape: inputShape.count > 1 ? inputShape : nil,
            layers: layers.map(\.specification))
    }

    /// `(height, width, channels)` for a model of images, nil for one of plain features.
    public var imageShape: ImageShape? { ImageShape(inputShape) }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// Every saved tensor: trainable parameters and layer state, named `layerIndex.name`.
    public var namedTensors: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            (layer.parameters + layer.state).map { (name: "\(index).\($0.name)", parameter: $0) }
        }
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Whether the last layer is of `kind` (a loss fused with it then trains on the logits).
    public func ends(in kind: LayerSpecification.Kind) -> Bool { lastKind == kind }

    /// Whether the last layer is Softmax, so training can use the fused loss on the logits.
    public var endsInSoftmax: Bool { ends(in: .softmax) }

    /// The output of every layer but a final one of kind `fused` (the activation the loss
    /// fuses with): `[batch, outputs]`.
    public func logits(_ input: Matrix, training: Bool, fusing fused: LayerSpecification.Kind = .softmax) -> Matrix {
        var x = input
        for layer in (ends(in: fused) ? running.dropLast() : running[...]) { x = layer.forward(x, training: training) }
        return x
    }

    /// The full forward pass, every layer included, in training or inference mode.
    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        var x = input
        for layer in running { x = layer.forward(x, training: training) }
        return x
    }

    /// The full forward pass in inference mode (probabilities when the model ends in Softmax).
    public func callAsFunction(_ input: Matrix) -> Matrix { forward(input, training: false) }

    /// Back-propagates dLoss/dLogits through every layer below a final one of kind `fused`
    /// (after `logits`), writing the parameter gradients. Returns dLoss/dInput when
    /// `needsInputGradient`, else nil (the first layer then skips that work).
    @discardableResult
    public func backward(
        fromLogits gradient: Matrix, fusing fused: LayerSpecification.Kind = .softmax, needsInputGradient: Bool = false
    ) -> Matrix? {
        let trainable = ends(in: fused) ? Array(running.dropLast()) : running
        return backward(gradient, through: trainable, needsInputGradient: needsInputGradient)
    }

    /// Back-propagates dLoss/dOutput through every layer, the last included (after `forward`),
    /// and returns dLoss/dInput, `[batch, inputSize]`: what saliency maps are made of.
    public func inputGradient(fromOutput gradient: Matrix) -> Matrix {
        backward(gradient, through: running, needsInputGradient: true) ?? gradient
    }

    private func backward(_ gradient: Matrix, through trainable: [any Layer], needsInputGradient: Bool) -> Matrix? {
        var g = gradient
        for (index, layer) in trainable.enumerated().reversed() {
            guard let next = layer.backward(g, needsInputGradient: index > 0 || needsInputGradient) else { return nil }
            g = next
        }
        return g
    }

    /// A table like Keras's `model.summary()`.
    public var summary: String {
        var rows = [("Layer (type)", "Output Shape", "Param #")]
        for (index, layer) in layers.enumerated() {
            let count =
                layer.parameters.reduce(0) { $0 + $1.value.count } + layer.state.reduce(0) { $0 + $1.value.count }
            rows.append(
                (
                    "\(index) \(layer.specification.summaryName)",
                    "(None, \(outputShapes[index].map(String.init).joined(separator: ", ")))", "\(count)"
                ))
        }
        let widths = (0..<3).map { column in rows.map { [$0.0, $0.1, $0.2][column].count }.max()! + 4 }
        func line(_ row: (String, String, String)) -> String {
            row.0.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                + row.1.padding(toLength: widths[1], withPad: " ", startingAt: 0) + row.2
        }
        let rule = String(repeating: "─", count: widths[0] + widths[1] + widths[2])
        var lines = [rule, line(rows[0]), rule]
        lines += rows.dropFirst().map(line)
        let trainable = parameterCount
        let total = namedTensors.reduce(0) { $0 + $1.parameter.value.count }
        lines += [
            rule, "Total params: \(total) (\(Self.megabytes(total)))", "Trainable params: \(trainable)",
            "Non-trainable params: \(total - trainable)", rule,
        ]
        return lines.joined(separator: "\n")
    }

    static func megabytes(_ count: Int) -> String { String(format: "%.2f KB", Double(count * 4) / 1024) }

    /// Copies of every tensor's values, to put back later with `restore(_:)`.
    public func snapshot() -> [[Float]] { namedTensors.map { $0.parameter.value.values } }

    public func restore(_ values: [[Float]]) {
        for (tensor, saved) in zip(namedTensors, values) {
            saved.withUnsafeBufferPointer {
                tensor.parameter.value.pointer.update(from: $0.baseAddress!, count: saved.count)
            }
        }
    }
}
