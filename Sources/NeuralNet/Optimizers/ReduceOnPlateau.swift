import Foundation

/// Keras's ReduceLROnPlateau: when the monitored value has not improved by more than
/// `minDelta` for `patience` epochs, the rate is multiplied by `factor` (not below
/// `minimumRate`), then `cooldown` epochs pass before counting again.
public struct ReduceOnPlateau: Codable, Equatable, Sendable {
    public var monitor: Monitor
    public var factor: Double
    public var patience: Int
    public var minDelta: Double
    public var cooldown: Int
    public var minimumRate: Double

    public init(
        monitor: Monitor = .validationLoss, factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4,
        cooldown: Int = 0, minimumRate: Double = 0
    ) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minimumRate = minimumRate
    }
}

/// The running state of a `ReduceOnPlateau`: feed it each epoch's monitored value and it
/// returns the multiplier to apply to the schedule's rate from then on.
public struct PlateauTracker: Sendable {
    public let rule: ReduceOnPlateau
    public private(set) var multiplier: Double = 1
    private var best: Double?
    private var wait = 0
    private var cooldownLeft = 0

    public init(rule: ReduceOnPlateau) { self.rule = rule }

    /// Records one epoch; returns true when the rate was reduced.
    public mutating func record(_ value: Double, currentRate: Double) -> Bool {
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            wait = 0
        }
        if let best, !rule.monitor.isImprovement(value, over: best, minDelta: rule.minDelta) {
            wait += 1
            if wait >= rule.patience && cooldownLeft == 0 {
                let reduced = max(currentRate * rule.factor, rule.minimumRate)
                guard reduced < currentRate else { return false }
                multiplier *= reduced / currentRate
                cooldownLeft = rule.cooldown
                wait = 0
                return true
            }
        } else {
            best = value
            wait = 0
        }
        return false
    }
}
