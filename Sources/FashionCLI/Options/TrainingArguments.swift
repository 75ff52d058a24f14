import ArgumentParser
import NeuralNet

/// The training options of `fashion train` (and later `study` and `tune`). Every option is
/// optional so that a preset's own settings stay unless overridden.
struct TrainingArguments: ParsableArguments {
    @Option(help: "Epochs (a preset's own by default).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Examples per step (default 32).")
    var batchSize: Int?

    @Option(help: ArgumentHelp("sgd, adam, adamw or rmsprop (default adam).", valueName: "name"))
    var optimizer: String?

    @Option(name: .customLong("learning-rate"), help: "Base learning rate (default 0.001; 0.01 for sgd).")
    var learningRate: Double?

    @Option(help: "Momentum for sgd and rmsprop.")
    var momentum: Double?

    @Flag(help: "Nesterov momentum for sgd.")
    var nesterov = false

    @Option(name: .customLong("weight-decay"), help: "Decoupled weight decay for adamw (default 0.004).")
    var weightDecay: Double?

    @Option(
        help: ArgumentHelp(
            "Learning-rate schedule: constant, step, exponential, cosine or one_cycle.", valueName: "kind"))
    var schedule: String?

    @Option(
        name: .customLong("schedule-factor"),
        help: "step: factor every --schedule-every epochs; exponential: factor per epoch.")
    var scheduleFactor: Double?

    @Option(name: .customLong("schedule-every"), help: "step: epochs between reductions.")
    var scheduleEvery: Int?

    @Option(name: .customLong("warmup-epochs"), help: "cosine: epochs of linear warm-up.")
    var warmupEpochs: Double?

    @Option(
        name: .customLong("reduce-on-plateau"),
        help: ArgumentHelp(
            "Divide the rate by 10 after this many epochs without val_loss improvement.", valueName: "patience"))
    var plateauPatience: Int?

    @Option(
        name: .customLong("early-stopping"),
        help: ArgumentHelp("Stop after this many epochs without improvement of --monitor.", valueName: "patience"))
    var earlyStoppingPatience: Int?

    @Option(
        help: ArgumentHelp(
            "What early stopping and --keep-best watch: val_loss, val_accuracy, loss or accuracy.", valueName: "name"))
    var monitor: String = "val_loss"

    @Option(name: .customLong("min-delta"), help: "Smallest change that counts as an improvement.")
    var minDelta: Double = 0

    @Flag(name: .customLong("no-restore-best"), help: "Keep the last weights when stopping early.")
    var noRestoreBest = false

    @Flag(name: .customLong("keep-best"), help: "End with the weights of the best epoch by --monitor.")
    var keepBest = false

    @Option(name: .customLong("label-smoothing"), help: "Label smoothing for the cross-entropy.")
    var labelSmoothing: Double?

    @Option(help: "L2 penalty on the kernels.")
    var l2: Double?

    @Option(
        name: .customLong("crop-padding"),
        help: ArgumentHelp("Augmentation: shift each training image by up to this many pixels.", valueName: "pixels"))
    var cropPadding: Int?

    @Option(
        help: ArgumentHelp("Augmentation: the probability of mirroring a training image.", valueName: "probability"))
    var flip: Double?

    @Option(
        help: ArgumentHelp(
            "Augmentation: the probability of erasing a rectangle of a training image.", valueName: "probability"))
    var erasing: Double?

    @Option(
        help: ArgumentHelp(
            "Keep an exponential moving average of the weights with this decay (such as 0.999) and end with it.",
            valueName: "decay"))
    var ema: Double?

    @Flag(
        name: .customLong("flip-averaging"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "Judge each image by the mean probabilities of it and its mirror image (validation here; evaluate and "
                + "predict follow the model file).")
    )
    var flipAveraging: Bool?

    func options(overriding base: TrainingOptions) throws -> TrainingOptions {
        var options = base
        if let epochs { options.epochs = epochs }
        if let batchSize { options.batchSize = batchSize }
        if let optimizer {
            guard let kind = OptimizerSpecification.Kind(rawValue: optimizer) else {
                throw ValidationError("--optimizer: expected sgd, adam, adamw or rmsprop; found '\(optimizer)'")
            }
            options.optimizer = OptimizerSpecification(kind: kind)
        }
        if let learningRate { options.optimizer.learningRate = learningRate }
        if let momentum { options.optimizer.momentum = momentum }
        if nesterov { options.optimizer.nesterov = true }
        if let weightDecay { options.optimizer.weightDecay = weightDecay }
        if let schedule {
            guard let kind = LearningRateSchedule.Kind(rawValue: schedule) else {
                throw ValidationError(
                    "--schedule: expected constant, step, exponential, cosine or one_cycle; found '\(schedule)'")
            }
            options.schedule = LearningRateSchedule(
                kind: kind, factor: scheduleFactor, every: scheduleEvery, warmupEpochs: warmupEpochs)
        }
        // Any metric name; training checks it against the loss's metrics.
        guard let watched = Monitor(rawValue: monitor) else {
            throw ValidationError("--monitor: expected a metric name such as val_loss or val_accuracy; found nothing")
        }
        if let plateauPatience {
            options.reduceOnPlateau = ReduceOnPlateau(monitor: .validationLoss, patience: plateauPatience)
        }
        if let earlyStoppingPatience {
            options.earlyStopping = EarlyStopping(
                monitor: watched, patience: earlyStoppingPatience, minDelta: minDelta,
                restoreBestWeights: !noRestoreBest)
        }
        if keepBest { options.keepBest = watched }
        if let labelSmoothing { options.labelSmoothing = labelSmoothing }
        if let l2 { options.l2 = l2 }
        if cropPadding != nil || flip != nil || erasing != nil {
            var augmentation = options.augmentation ?? Augmentation()
            if let cropPadding { augmentation.cropPadding = cropPadding }
            if let flip { augmentation.flipProbability = flip }
            if let erasing { augmentation.erasingProbability = erasing }
            options.augmentation = augmentation
        }
        if let ema { options.ema = ema }
        if let flipAveraging { options.flipAveraging = flipAveraging }
        return options
    }
}
