/// A named epoch metric watched by early stopping, best-checkpoint keeping and reduce-on-plateau.
public enum Monitor: String, Codable, Sendable, CaseIterable {
    case loss, accuracy
    case validationLoss = "val_loss"
    case validationAccuracy = "val_accuracy"

    public var needsValidation: Bool { self == .validationLoss || self == .validationAccuracy }
    var higherIsBetter: Bool { self == .accuracy || self == .validationAccuracy }

    func isImprovement(_ value: Double, over best: Double, minDelta: Double) -> Bool {
        higherIsBetter ? value - minDelta > best : value + minDelta < best
    }

    /// The metric's name in an epoch's record ("val_loss").
    public var metricName: String { rawValue }

    func value(in record: EpochRecord) -> Double? { record.metrics[metricName] }
}
