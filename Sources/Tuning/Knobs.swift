import NeuralNet
import NumericCore

/// The parameter names a search space can use, and how a trial's values become a network
/// and its training options. With `conv_blocks` > 0 the network starts with that many
/// convolution blocks, Conv2D(filters, kernel_size, padding) → BatchNorm (if `batch_norm`) →
/// activation → MaxPool 2, on the images' shape, then Flatten. Hidden layer `i` is
/// Dense(units) → BatchNorm (if `batch_norm`) → activation → Dropout (if `dropout` > 0); the
/// output layer is Dense(classes) → softmax. A knob the space leaves out keeps the seed
/// study's default (Keras's).
public enum Knobs {
    /// One named hyperparameter a search space may set, with the help text that describes it.
    public struct Knob: Sendable {
        public let name: String
        public let help: String
    }

    static let maximumHiddenLayers = 8
    static let maximumConvolutionBlocks = 4

    public static let all: [Knob] = [
        Knob(name: "hidden_layers", help: "number of hidden dense layers, 0...8 (default 2)"),
        Knob(name: "units", help: "units of every hidden layer (default 128)"),
        Knob(name: "units_1 ... units_8", help: "units of hidden layer i, overriding 'units'"),
        Knob(name: "activation", help: "relu, gelu, elu, leaky_relu, tanh or sigmoid (default relu)"),
        Knob(name: "dropout", help: "dropout rate after each hidden layer, [0, 1) (default 0)"),
        Knob(name: "batch_norm", help: "true: batch normalisation before each hidden activation"),
        Knob(name: "initializer", help: "glorot_uniform, glorot_normal, he_uniform or he_normal"),
        Knob(name: "batch_size", help: "examples per step (default 32)"),
        Knob(name: "epochs", help: "epochs per trial (default 10)"),
        Knob(name: "optimizer", help: "adam, adamw, sgd or rmsprop (default adam)"),
        Knob(name: "learning_rate", help: "base learning rate (default 0.001; 0.01 for sgd)"),
        Knob(name: "momentum", help: "sgd and rmsprop momentum, [0, 1)"),
        Knob(name: "nesterov", help: "sgd: true for Nesterov momentum"),
        Knob(name: "weight_decay", help: "adamw: decoupled weight decay"),
        Knob(name: "l2", help: "L2 penalty on kernels"),
        Knob(name: "label_smoothing", help: "[0, 1)"),
        Knob(name: "schedule", help: "constant, cosine, one_cycle, step or exponential"),
        Knob(name: "warmup_epochs", help: "cosine schedule: linear warm-up epochs"),
        Knob(name: "conv_blocks", help: "convolution blocks before the dense layers, 0...4 (default 0)"),
        Knob(name: "filters", help: "filters of every convolution block (default 32)"),
        Knob(name: "filters_1 ... filters_4", help: "filters of block i, overriding 'filters'"),
        Knob(name: "kernel_size", help: "convolution kernel size (default 3)"),
        Knob(name: "padding", help: "convolution padding: valid (default) or same"),
    ]

    static let names: Set<String> = Set(
        all.map(\.name).filter { !$0.contains(" ") } + (1...maximumHiddenLayers).map { "units_\($0)" }
            + (1...maximumConvolutionBlocks).map { "filters_\($0)" })

    /// The network and training options of one trial.
    /// - Parameters:
    ///   - values: the trial's parameters.
    ///   - inputSize: the values of one image.
    ///   - classes: the number of classes (the last layer's units).
    ///   - imageShape: `[height, width, channels]` of the images (for convolutions;
    ///     default: square grayscale images of `inputSize` pixels).
    public static func configuration(_ values: Assignment, inputSize: Int, classes: Int, imageShape: ImageShape? = nil)
        throws(TuningError) -> (ModelSpecification, TrainingOptions)
    {
        func number(_ name: String) throws(TuningError) -> Double? {
            guard let v = values[name] else { return nil }
            guard case .number(let n) = v else { throw .space("parameter '\(name)': expected a number, found \(v)") }
            return n
        }
        func whole(_ name: String, atLeast minimum: Int) throws(TuningError) -> Int? {
            guard let n = try number(name) else { return nil }
            guard n == n.rounded(), n >= Double(minimum), n <= 1e6 else {
                throw .space(
                    "parameter '\(name)': expected a whole number of at least \(minimum), found "
                        + "\(ParameterValue.number(n))"
                )
            }
            return Int(n)
        }
        func word<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(TuningError) -> T?
        where T.RawValue == String {
            guard let v = values[name] else { return nil }
            guard case .text(let t) = v, let parsed = T(rawValue: t) else {
                throw .space("parameter '\(name)': unknown value \(v)")
            }
            return parsed
        }
        func flag(_ name: String) throws(TuningError) -> Bool? {
            guard let v = values[name] else { return nil }
            guard case .flag(let f) = v else { throw .space("parameter '\(name)': expected true or false, found \(v)") }
            return f
        }
        func fraction(_ name: String) throws(TuningError) -> Double? {
            guard let n = try number(name) else { return nil }
            guard n >= 0, n < 1 else { throw .space("parameter '\(name)': expected a number in [0, 1), found \(n)") }
            return n
        }
        func positive(_ name: String) throws(TuningError) -> Double? {
            guard let n = try number(name) else { return nil }
            guard n > 0, n.isFinite else { throw .space("parameter '\(name)': expected a number above 0, found \(n)") }
            return n
        }
        for name in values.keys where !names.contains(name) {
            throw .space("unknown parameter '\(name)'; known: \(all.map(\.name).joined(separator: ", "))")
        }

        let hidden = try whole("hidden_layers", atLeast: 0) ?? 2
        guard hidden <= maximumHiddenLayers else {
            throw .space("parameter 'hidden_layers': expected at most \(maximumHiddenLayers), found \(hidden)")
        }
        let units = try whole("units", atLeast: 1) ?? 128
        let activation = try word("activation", LayerSpecification.Kind.self) ?? .relu
        guard [.relu, .gelu, .elu, .leakyReLU, .tanh, .sigmoid].contains(activation) else {
            throw .space(
                "parameter 'activation': expected relu, gelu, elu, leaky_relu, tanh or sigmoid, found "
                    + "\(activation.rawValue)"
            )
        }
        let dropout = try fraction("dropout") ?? 0
        let batchNorm = try flag("batch_norm") ?? false
        let initializer = try word("initializer", Initializer.self)
        var layers = [LayerSpecification]()
        let blocks = try whole("conv_blocks", atLeast: 0) ?? 0
        guard blocks <= maximumConvolutionBlocks else {
            throw .space("parameter 'conv_blocks': expected at most \(maximumConvolutionBlocks), found \(blocks)")
        }
        let filters = try whole("filters", atLeast: 1) ?? 32
        let kernelSize = try whole("kernel_size", atLeast: 1) ?? 3
        let padding = try word("padding", Padding.self) ?? .valid
        var shape: [Int]?
        if blocks > 0 {
            let side = Int(Double(inputSize).squareRoot())
            shape = imageShape?.dimensions ?? (side * side == inputSize ? [side, side, 1] : nil)
            guard shape != nil else {
                throw .space(
                    "parameter 'conv_blocks': convolutions need square images or an image shape; the input has "
                        + "\(inputSize) features"
                )
            }
            for i in 1...blocks {
                layers.append(
                    LayerSpecification(
                        kind: .conv2D, initializer: initializer,
                        filters: try whole("filters_\(i)", atLeast: 1) ?? filters,
                        kernelSize: kernelSize, padding: padding == .valid ? nil : padding))
                if batchNorm { layers.append(LayerSpecification(kind: .batchNorm)) }
                layers.append(LayerSpecification(kind: activation))
                layers.append(LayerSpecification(kind: .maxPool2D))
            }
            layers.append(LayerSpecification(kind: .flatten))
        }
        for i in 1...max(1, hidden) where hidden > 0 {
            layers.append(
                LayerSpecification(
                    kind: .dense, units: try whole("units_\(i)", atLeast: 1) ?? units, initializer: initializer))
            if batchNorm { layers.append(LayerSpecification(kind: .batchNorm)) }
            layers.append(LayerSpecification(kind: activation))
            if dropout > 0 { layers.append(LayerSpecification(kind: .dropout, rate: dropout)) }
        }
        layers.append(LayerSpecification(kind: .dense, units: classes, initializer: initializer))
        layers.append(LayerSpecification(kind: .softmax))

        var options = TrainingOptions()
        options.epochs = try whole("epochs", atLeast: 1) ?? options.epochs
        options.batchSize = try whole("batch_size", atLeast: 1) ?? options.batchSize
        let kind = try word("optimizer", OptimizerSpecification.Kind.self) ?? .adam
        options.optimizer = OptimizerSpecification(
            kind: kind, learningRate: try positive("learning_rate"), momentum: try fraction("momentum"),
            nesterov: try flag("nesterov"), weightDecay: try number("weight_decay"))
        if let decay = options.optimizer.weightDecay, decay < 0 {
            throw .space("parameter 'weight_decay': expected 0 or more, found \(decay)")
        }
        options.l2 = try number("l2") ?? 0
        guard options.l2 >= 0 else { throw .space("parameter 'l2': expected 0 or more, found \(options.l2)") }
        options.labelSmoothing = try fraction("label_smoothing") ?? 0
        let schedule = try word("schedule", LearningRateSchedule.Kind.self) ?? .constant
        options.schedule = LearningRateSchedule(kind: schedule, warmupEpochs: try number("warmup_epochs"))
        do { try options.schedule.validate() } catch { throw .space("parameter 'schedule': \(error)") }
        return (ModelSpecification(inputSize: inputSize, inputShape: shape, layers: layers), options)
    }

    /// Checks every value a parameter can take (each choice, both ends of a range).
    static func check(_ parameter: SearchParameter) throws(TuningError) {
        let wholeNumbers = ["hidden_layers", "units", "batch_size", "epochs", "conv_blocks", "filters", "kernel_size"]
        if case .range(_, _, _, let integer) = parameter.domain, !integer,
            wholeNumbers.contains(parameter.name) || parameter.name.hasPrefix("units_")
                || parameter.name.hasPrefix("filters_")
        {
            throw .space("parameter '\(parameter.name)': takes whole numbers; add \"integer\": true to its range")
        }
        let candidates: [ParameterValue]
        switch parameter.domain {
        case .fixed(let v): candidates = [v]
        case .choice(let values): candidates = values
        case .range(let low, let high, _, let integer):
            candidates = integer ? [.number(low.rounded()), .number(high.rounded())] : [.number(low), .number(high)]
        }
        for candidate in candidates { _ = try configuration([parameter.name: candidate], inputSize: 784, classes: 10) }
    }
}
