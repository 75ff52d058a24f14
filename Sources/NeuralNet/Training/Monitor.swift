/// An epoch metric watched by early stopping, best-checkpoint keeping and reduce-on-plateau,
/// by its name in `EpochRecord.metrics` ("val_loss", "accuracy", or any metric a loss adds).
/// As Keras's `mode="auto"`: a metric whose name says loss or error is better lower, any
/// other higher. Stored as its name.
public struct Monitor: Codable, Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init?(rawValue: String) {
        guard !rawValue.isEmpty else { return nil }
        name = rawValue
    }

    public static let loss = Monitor(EpochRecord.Name.loss)
    public static let accuracy = Monitor(EpochRecord.Name.accuracy)
    public static let validationLoss = Monitor(EpochRecord.Name.validationLoss)
    public static let validationAccuracy = Monitor(EpochRecord.Name.validationAccuracy)

    public var rawValue: String { name }
    public var description: String { name }

    /// Validation metrics are named `val_...`, as Keras names them.
    public var needsValidation: Bool { name.hasPrefix("val_") }
    public var higherIsBetter: Bool { !(name.contains("loss") || name.contains("error")) }

    func isImprovement(_ value: Double, over best: Double, minDelta: Double) -> Bool {
        higherIsBetter ? value - minDelta > best : value + minDelta < best
    }

    func value(in record: EpochRecord) -> Double? { record.metrics[name] }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let monitor = Monitor(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a monitor needs a metric name"))
        }
        self = monitor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
