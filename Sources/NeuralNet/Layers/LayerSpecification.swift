import NumericCore

/// A layer as data: what summaries print and model files store. `makeLayer()` turns it
/// into a fresh, unbuilt layer.
public struct LayerSpecification: Codable, Equatable, Sendable {
    /// Every layer kind a model file or model JSON can name.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case dense, relu
        case leakyReLU = "leaky_relu"
        case elu, gelu, tanh, sigmoid, softmax
        case dropout
        case batchNorm = "batch_norm"
        case flatten
        case conv2D = "conv2d"
        case maxPool2D = "max_pool2d"
        case averagePool2D = "avg_pool2d"
        case globalAveragePool = "global_avg_pool"
        case residual
        /// Made by `fashion quantize` from a dense layer; not for training.
        case quantizedDense = "quantized_dense"
        /// Made by `fashion quantize` from a convolution; not for training.
        case quantizedConv2D = "quantized_conv2d"
    }

    public var kind: Kind
    /// Dense: output features.
    public var units: Int?
    /// Dropout: the fraction of inputs zeroed while training.
    public var rate: Double?
    /// LeakyReLU: the slope below zero; ELU: the scale below zero.
    public var alpha: Double?
    /// Dense: how the kernel is initialised (default Glorot uniform, as Keras).
    public var initializer: Initializer?
    /// Conv2D: output channels.
    public var filters: Int?
    /// Conv2D: the kernel's height and width; pooling: the window's (default 2).
    public var kernelSize: Int?
    /// Conv2D (default 1) and pooling (default: the window size).
    public var stride: Int?
    /// Conv2D and pooling: valid (default) or same.
    public var padding: Padding?
    /// Residual: the block's layers (its output is the input plus theirs).
    public var layers: [LayerSpecification]?
    /// Batch norm: the moving statistics' momentum (default 0.99, as Keras).
    public var momentum: Double?
    /// Batch norm: added to the variance before the square root (default 1e-3, as Keras).
    public var epsilon: Double?

    public init(
        kind: Kind, units: Int? = nil, rate: Double? = nil, alpha: Double? = nil, initializer: Initializer? = nil,
        filters: Int? = nil, kernelSize: Int? = nil, stride: Int? = nil, padding: Padding? = nil,
        layers: [LayerSpecification]? = nil,
        momentum: Double? = nil, epsilon: Double? = nil
    ) {
        self.layers = layers
        self.momentum = momentum
        self.epsilon = epsilon
        self.kind = kind
        self.units = units
        self.rate = rate
        self.alpha = alpha
        self.initializer = initializer
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public func makeLayer() throws(ModelError) -> any Layer {
        switch kind {
        case .dense:
            guard let units, units > 0 else {
                throw .invalidSpecification("a dense layer needs units > 0, found \(units.map(String.init) ?? "none")")
            }
            return Dense(units: units, initializer: initializer ?? .glorotUniform)
        case .quantizedDense:
            guard let units, units > 0 else {
                throw .invalidSpecification(
                    "a quantized dense layer needs units > 0, found \(units.map(String.init) ?? "none")")
            }
            return QuantizedDense(units: units)
        case .quantizedConv2D:
            guard let filters, filters > 0, let kernelSize, kernelSize > 0 else {
                throw .invalidSpecification("a quantized conv2d layer needs filters > 0 and kernelSize > 0")
            }
            return QuantizedConv2D(
                filters: filters, kernelSize: kernelSize, stride: stride ?? 1, padding: padding ?? .valid)
        case .relu: return ReLU()
        case .leakyReLU: return LeakyReLU(alpha: Float(alpha ?? 0.3))
        case .elu: return ELU(alpha: Float(alpha ?? 1))
        case .gelu: return GELU()
        case .tanh: return Tanh()
        case .sigmoid: return Sigmoid()
        case .softmax: return Softmax()
        case .dropout:
            let rate = rate ?? 0.5
            guard rate >= 0, rate < 1 else {
                throw .invalidSpecification("dropout rate must be in [0, 1), found \(rate)")
            }
            return Dropout(rate: Float(rate))
        case .batchNorm: return BatchNorm(momentum: Float(momentum ?? 0.99), epsilon: Float(epsilon ?? 1e-3))
        case .flatten: return Flatten()
        case .conv2D:
            guard let filters, filters > 0 else {
                throw .invalidSpecification(
                    "a conv2d layer needs filters > 0, found \(filters.map(String.init) ?? "none")")
            }
            guard let kernelSize, kernelSize > 0 else {
                throw .invalidSpecification(
                    "a conv2d layer needs kernelSize > 0, found \(kernelSize.map(String.init) ?? "none")")
            }
            return Conv2D(
                filters: filters, kernelSize: kernelSize, stride: stride ?? 1, padding: padding ?? .valid,
                initializer: initializer ?? .glorotUniform)
        case .maxPool2D, .averagePool2D:
            return Pool2D(
                kind == .maxPool2D ? .max : .average, poolSize: kernelSize ?? 2, stride: stride,
                padding: padding ?? .valid)
        case .globalAveragePool: return GlobalAveragePool()
        case .residual:
            guard let layers, !layers.isEmpty else {
                throw .invalidSpecification("a residual block needs 'layers', at least one")
            }
            var body = [any Layer]()
            for layer in layers { body.append(try layer.makeLayer()) }
            return Residual(layers: body)
        }
    }

    /// A short description for summaries: "Dense(128)", "Dropout(0.5)", "ReLU".
    public var summaryName: String {
        switch kind {
        case .dense: return "Dense(\(units ?? 0))"
        case .quantizedDense: return "QuantizedDense(\(units ?? 0), int8)"
        case .quantizedConv2D:
            return "QuantizedConv2D(\(filters ?? 0), \(kernelSize ?? 0)x\(kernelSize ?? 0), int8)"
        case .relu: return "ReLU"
        case .leakyReLU: return "LeakyReLU(\(alpha ?? 0.3))"
        case .elu: return "ELU(\(alpha ?? 1))"
        case .gelu: return "GELU"
        case .tanh: return "Tanh"
        case .sigmoid: return "Sigmoid"
        case .softmax: return "Softmax"
        case .dropout: return "Dropout(\(rate ?? 0.5))"
        case .batchNorm: return "BatchNorm"
        case .flatten: return "Flatten"
        case .conv2D:
            let strideText = (stride.map { ", stride \($0)" } ?? "") + (padding == .same ? ", same" : "")
            return
                "Conv2D(\(filters ?? 0), \(kernelSize ?? 0)x\(kernelSize ?? 0)\(strideText))"
        case .maxPool2D, .averagePool2D:
            return (kind == .maxPool2D ? "MaxPool2D" : "AvgPool2D") + "(\(kernelSize ?? 2))"
        case .globalAveragePool: return "GlobalAvgPool"
        case .residual: return "Residual[" + (layers ?? []).map(\.summaryName).joined(separator: ", ") + "]"
        }
    }
}

extension Float {
    /// The value as the shortest decimal that reads back as the same Float: specifications say
    /// 0.3 where `Double(self)` would say 0.30000001192092896.
    var shortestDouble: Double { Double("\(self)") ?? Double(self) }
}
