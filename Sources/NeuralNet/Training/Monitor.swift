/// A named epoch metric watched by early stopping, best-checkpoint keeping and reduce-on-plateau.
public enum Monitor: String, Codable, Sendable, CaseIterable {
    case loss, accuracy
    case validationLoss = "val_loss", validationAccuracy = "val_accuracy"

    public var needsValidation: Bool { self == .validationLoss || self == .validationAccuracy }
    var higherIsBetter: Bool { self == .accuracy || self == .validationAccuracy }

    func isImprovement(_ value: Double, over best: Double, minDelta: Double) -> Bool {
        higherIsBetter ? value - minDelta > best : value + minDelta < best
    }

    /// The metric's name in an epoch's record ("val_loss").
    public var metricName: String { rawValue }

    func value(in record: EpochRecord) -> Double? { record.metrics[metricName] }
}

/// Keras's EarlyStopping: stop when `monitor` has not improved by more than `minDelta` for
/// `patience` epochs; with `restoreBestWeights`, the weights of the best epoch are put back
/// when training stops early.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double
    public var restoreBestWeights: Bool

    public init(monitor: Monitor = .validationLoss, patience: Int = 3, minDelta: Double = 0, restoreBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }
}

