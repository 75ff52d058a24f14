/// The seed study's three models, with the training each was given (Keras defaults where
/// the study is silent: Adam 0.001, batch 32, Glorot uniform, categorical cross-entropy).
public struct Preset: Sendable {
    public let name: String
    public let summary: String
    public let model: ModelSpecification
    public let options: TrainingOptions

    public static let all: [Preset] = [
        Preset(
            name: "model1", summary: "784-64(relu)-10(softmax), 10 epochs",
            model: .dense([784, 64, 10]), options: TrainingOptions(epochs: 10)),
        Preset(
            name: "model2", summary: "784-64(relu)-10(softmax), 30 epochs, learning rate 0.001",
            model: .dense([784, 64, 10]),
            options: TrainingOptions(epochs: 30, optimizer: OptimizerSpecification(kind: .adam, learningRate: 0.001))),
        Preset(
            name: "model3", summary: "784-128(relu)-64(relu)-10(softmax), 30 epochs",
            model: .dense([784, 128, 64, 10]), options: TrainingOptions(epochs: 30)),
        Preset(
            name: "cnn-reference",
            summary:
                "Conv 32 3x3, ReLU, MaxPool 2, Conv 64 3x3, ReLU, MaxPool 2, Dense 128, ReLU, Dropout 0.5, Dense 10; "
                + "Adam 0.001, batch 64, 10 epochs",
            model: .referenceCNN, options: TrainingOptions(epochs: 10, batchSize: 64)),
        Preset(
            name: "strong-mlp",
            summary:
                "784-512-256-10 with batch norm and dropout 0.3; Adam with a one-cycle schedule to 0.01, label "
                + "smoothing 0.1, batch 256, 30 epochs",
            model: .strongMLP,
            options: TrainingOptions(
                epochs: 30, batchSize: 256, optimizer: OptimizerSpecification(kind: .adam, learningRate: 0.01),
                schedule: LearningRateSchedule(kind: .oneCycle), labelSmoothing: 0.1)),
        Preset(
            name: "cnn-small",
            summary:
                "two 3x3 same-padded convolutions (32, 64), each with max pooling then batch norm, Dense 128, "
                + "dropout 0.25; random 1-pixel crops and mirror images, one-cycle to 0.005, label smoothing 0.1, "
                + "batch 64, flip averaging, 14 epochs",
            model: .smallCNN,
            options: TrainingOptions(
                epochs: 14, batchSize: 64, optimizer: OptimizerSpecification(kind: .adam, learningRate: 0.005),
                schedule: LearningRateSchedule(kind: .oneCycle), labelSmoothing: 0.1,
                augmentation: Augmentation(cropPadding: 1, flipProbability: 0.5), flipAveraging: true)),
        Preset(
            name: "cnn-best",
            summary:
                "four 3x3 same-padded convolutions (32, 64, 64, 128) with batch norm and three max poolings, Dense "
                + "256, dropout 0.4; random 1-pixel crops and mirror images, one-cycle to 0.006, label smoothing "
                + "0.1, batch 128, weight average 0.998, flip averaging, 36 epochs",
            model: .bestCNN,
            options: TrainingOptions(
                epochs: 36, batchSize: 128, optimizer: OptimizerSpecification(kind: .adam, learningRate: 0.006),
                schedule: LearningRateSchedule(kind: .oneCycle), labelSmoothing: 0.1,
                augmentation: Augmentation(cropPadding: 1, flipProbability: 0.5), ema: 0.998, flipAveraging: true)),
    ]

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }
}
