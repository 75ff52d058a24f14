/// Keras's EarlyStopping: stop when `monitor` has not improved by more than `minDelta` for
/// `patience` epochs; with `restoreBestWeights`, the weights of the best epoch are put back
/// when training stops early.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double
    public var restoreBestWeights: Bool

    public init(
        monitor: Monitor = .validationLoss, patience: Int = 3, minDelta: Double = 0, restoreBestWeights: Bool = true
    ) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }
}

/// Keras's EarlyStopping bookkeeping.
struct EarlyStoppingState {
    let rule: EarlyStopping?
    private var best: Double?
    private var bestWeights: [[Float]]?
    private var bestEpoch: Int?
    private var wait = 0
    private(set) var restoredEpoch: Int?

    init(rule: EarlyStopping?) { self.rule = rule }

    mutating func shouldStop(after record: EpochRecord, model: Sequential) -> Bool {
        guard let rule, let current = rule.monitor.value(in: record) else { return false }
        wait += 1
        if best == nil || rule.monitor.isImprovement(current, over: best!, minDelta: rule.minDelta) {
            best = current
            bestEpoch = record.epoch
            if rule.restoreBestWeights { bestWeights = model.snapshot() }
            wait = 0
            return false
        }
        guard wait >= rule.patience, record.epoch > 1 else { return false }
        if rule.restoreBestWeights, let bestWeights {
            model.restore(bestWeights)
            restoredEpoch = bestEpoch
        }
        return true
    }
}
