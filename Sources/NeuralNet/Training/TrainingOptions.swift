import NumericCore

/// Everything `fit` needs to know besides the model and the data.
public struct TrainingOptions: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerSpecification
    public var schedule: LearningRateSchedule
    public var reduceOnPlateau: ReduceOnPlateau?
    public var earlyStopping: EarlyStopping?
    /// When set, the weights of the best epoch by this monitor are put back at the end.
    public var keepBest: Monitor?
    public var labelSmoothing: Double
    /// L2 penalty `l2 * Σ w²` on kernels, added to the loss (gradient `2 l2 w`).
    public var l2: Double
    /// Seeds the per-epoch shuffle (the weights are seeded when the model is built).
    public var seed: UInt64
    public var shuffle: Bool
    /// Random changes to the training images every batch (none by default).
    public var augmentation: Augmentation?
    /// The decay of an exponential moving average of the weights (and batch-norm statistics),
    /// such as 0.999; when set, validation sees the averaged weights and the model ends with
    /// them. Early steps average faster: the decay used is `min(ema, (1 + step) / (10 + step))`.
    public var ema: Double?
    /// Validation (and, for a model file that records these options, later evaluation and
    /// prediction) averages the class probabilities of each image and its mirror image.
    public var flipAveraging: Bool
    /// The loss, fused with the model's final activation (softmax cross-entropy by default).
    public var loss: LossKind
    /// Binary cross-entropy's weight of each tag's positives (PyTorch's `pos_weight`: negatives
    /// over positives balances a rare tag); nil: 1 each.
    public var positiveWeights: [Double]? = nil
    /// Fine-tuning: for this many first epochs only the last dense layer and what follows it
    /// train (the rest keeps its weights); then every layer trains, with the optimizer's state
    /// started afresh, as Keras's fine-tuning guide recompiles. Nil or 0: every layer from the start.
    public var frozenEpochs: Int? = nil

    public init(
        epochs: Int = 10, batchSize: Int = 32, optimizer: OptimizerSpecification = OptimizerSpecification(kind: .adam),
        schedule: LearningRateSchedule = .constant, reduceOnPlateau: ReduceOnPlateau? = nil,
        earlyStopping: EarlyStopping? = nil,
        keepBest: Monitor? = nil, labelSmoothing: Double = 0, l2: Double = 0, seed: UInt64 = 0, shuffle: Bool = true,
        augmentation: Augmentation? = nil, ema: Double? = nil, flipAveraging: Bool = false,
        loss: LossKind = .softmaxCrossEntropy
    ) {
        self.loss = loss
        self.augmentation = augmentation
        self.ema = ema
        self.flipAveraging = flipAveraging
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.reduceOnPlateau = reduceOnPlateau
        self.earlyStopping = earlyStopping
        self.keepBest = keepBest
        self.labelSmoothing = labelSmoothing
        self.l2 = l2
        self.seed = seed
        self.shuffle = shuffle
    }

    /// Decodes from JSON in which any field may be left out; missing ones take the defaults
    /// of `init`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingOptions()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        optimizer = try c.decodeIfPresent(OptimizerSpecification.self, forKey: .optimizer) ?? d.optimizer
        schedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? d.schedule
        reduceOnPlateau = try c.decodeIfPresent(ReduceOnPlateau.self, forKey: .reduceOnPlateau)
        earlyStopping = try c.decodeIfPresent(EarlyStopping.self, forKey: .earlyStopping)
        keepBest = try c.decodeIfPresent(Monitor.self, forKey: .keepBest)
        labelSmoothing = try c.decodeIfPresent(Double.self, forKey: .labelSmoothing) ?? d.labelSmoothing
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? d.l2
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        shuffle = try c.decodeIfPresent(Bool.self, forKey: .shuffle) ?? d.shuffle
        augmentation = try c.decodeIfPresent(Augmentation.self, forKey: .augmentation)
        frozenEpochs = try c.decodeIfPresent(Int.self, forKey: .frozenEpochs)
        ema = try c.decodeIfPresent(Double.self, forKey: .ema)
        flipAveraging = try c.decodeIfPresent(Bool.self, forKey: .flipAveraging) ?? d.flipAveraging
        loss = try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? d.loss
        positiveWeights = try c.decodeIfPresent([Double].self, forKey: .positiveWeights)
    }

    /// Checks the options against each other and the data, naming the field that is wrong.
    /// - Parameters:
    ///   - hasValidation: whether a validation split is held out (a monitor on `val_` needs one).
    ///   - imageShape: the images trained on, when known: augmentation must fit them.
    public func validate(hasValidation: Bool, imageShape: ImageShape? = nil) throws(ModelError) {
        if loss == .sigmoidBinaryCrossEntropy, flipAveraging {
            throw .invalidOption(
                name: "flipAveraging",
                reason: "averages softmax probabilities; it cannot be used with sigmoid_binary_cross_entropy")
        }
        if let augmentation, let imageShape, augmentation.cropPadding >= min(imageShape.height, imageShape.width) {
            throw .invalidOption(
                name: "augmentation.cropPadding",
                reason:
                    "expected fewer pixels than the image's side (\(min(imageShape.height, imageShape.width))), "
                    + "found \(augmentation.cropPadding)"
            )
        }
        guard epochs >= 1 else { throw .invalidOption(name: "epochs", reason: "expected at least 1, found \(epochs)") }
        guard batchSize >= 1 else {
            throw .invalidOption(name: "batchSize", reason: "expected at least 1, found \(batchSize)")
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw .invalidOption(name: "labelSmoothing", reason: "expected a number in [0, 1), found \(labelSmoothing)")
        }
        if let frozenEpochs, !(0..<epochs).contains(frozenEpochs) {
            throw .invalidOption(
                name: "frozenEpochs",
                reason: "expected 0 to \(epochs - 1) (fewer than the epochs), found \(frozenEpochs)")
        }
        guard l2 >= 0 else { throw .invalidOption(name: "l2", reason: "expected 0 or more, found \(l2)") }
        try schedule.validate()
        try augmentation?.validate()
        if let positiveWeights {
            guard loss == .sigmoidBinaryCrossEntropy else {
                throw .invalidOption(
                    name: "positiveWeights",
                    reason: "weights binary cross-entropy's positives; the loss is \(loss.rawValue)")
            }
            if let bad = positiveWeights.first(where: { !($0.isFinite && $0 > 0) }) {
                throw .invalidOption(name: "positiveWeights", reason: "expected weights above 0, found \(bad)")
            }
        }
        if let ema, !(ema > 0 && ema < 1) {
            throw .invalidOption(name: "ema", reason: "expected a decay in (0, 1) such as 0.999, found \(ema)")
        }
        let names = loss.metricNames + loss.metricNames.map { "val_" + $0 } + loss.validationOnlyMetricNames
        for monitor in [earlyStopping?.monitor, reduceOnPlateau?.monitor, keepBest].compactMap({ $0 }) {
            guard names.contains(monitor.name) else {
                throw .invalidOption(
                    name: "monitor",
                    reason:
                        "expected one of \(names.joined(separator: ", ")) (the metrics of \(loss.rawValue)); found "
                        + "'\(monitor.name)'"
                )
            }
            if monitor.needsValidation && !hasValidation {
                throw .invalidOption(
                    name: "monitor", reason: "\(monitor.rawValue) needs validation data; give a validation split")
            }
        }
    }
}
