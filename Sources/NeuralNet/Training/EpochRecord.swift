/// One epoch of training, as Keras's History records it: metrics by name (`loss`,
/// `accuracy`, and `val_loss`, `val_accuracy` with validation data; a loss may add others),
/// the learning rate at the epoch's last step and the epoch's time.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var metrics: [String: Double]
    public var learningRate: Double
    public var seconds: Double

    public init(epoch: Int, metrics: [String: Double], learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.metrics = metrics
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// The names every epoch of a classifier has.
    public enum Name {
        public static let loss = "loss", accuracy = "accuracy"
        public static let validationLoss = "val_loss", validationAccuracy = "val_accuracy"
        /// Multi-label data's mean average precision over the tags, on the validation split.
        public static let validationMeanAveragePrecision = "val_mean_average_precision"
    }

    public var loss: Double { metrics[Name.loss] ?? .nan }
    public var accuracy: Double { metrics[Name.accuracy] ?? .nan }
    public var validationLoss: Double? { metrics[Name.validationLoss] }
    public var validationAccuracy: Double? { metrics[Name.validationAccuracy] }

    private enum CodingKeys: String, CodingKey {
        case epoch, metrics, learningRate, seconds
        // The fixed fields of files written before metrics had names.
        case loss, accuracy, validationLoss, validationAccuracy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        seconds = try c.decode(Double.self, forKey: .seconds)
        if let metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) {
            self.metrics = metrics
        } else {
            var metrics = [String: Double]()
            metrics[Name.loss] = try c.decode(Double.self, forKey: .loss)
            metrics[Name.accuracy] = try c.decode(Double.self, forKey: .accuracy)
            metrics[Name.validationLoss] = try c.decodeIfPresent(Double.self, forKey: .validationLoss)
            metrics[Name.validationAccuracy] = try c.decodeIfPresent(Double.self, forKey: .validationAccuracy)
            self.metrics = metrics
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(seconds, forKey: .seconds)
    }
}
