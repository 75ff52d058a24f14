/// What `fit` returns: every epoch, and why training ended.
public struct History: Codable, Equatable, Sendable {
    public var epochs: [EpochRecord] = []
    public var stoppedEarly = false
    /// The epoch whose weights the model holds at the end, when they were restored.
    public var restoredEpoch: Int?

    public init() {}

    public var totalSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}
