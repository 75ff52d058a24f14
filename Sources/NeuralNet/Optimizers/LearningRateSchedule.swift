import Foundation

/// How the learning rate moves during training, as data. Rates are computed per step
/// (`step` counts optimizer steps from 0; `stepsPerEpoch` converts epochs to steps).
///
/// - constant: the base rate throughout.
/// - step: multiplied by `factor` every `every` epochs.
/// - exponential: `base * factor^(step / stepsPerEpoch)`, a smooth decay by `factor` a epoch.
/// - cosine: linear warm-up from 0 over `warmupEpochs`, then cosine decay to `minimum`.
/// - oneCycle: as PyTorch's OneCycleLR (cosine): from base/25 up to base over the first 30%
///   of steps, then down to base/25/10⁴.
/// Reduce-on-plateau is not a function of the step; it is a `ReduceOnPlateau` callback that
/// scales whatever this gives.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    /// The schedules a training run can name.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case constant, step, exponential, cosine
        case oneCycle = "one_cycle"
    }

    public var kind: Kind
    public var factor: Double?
    public var every: Int?
    public var warmupEpochs: Double?
    public var minimum: Double?

    public init(
        kind: Kind, factor: Double? = nil, every: Int? = nil, warmupEpochs: Double? = nil, minimum: Double? = nil
    ) {
        self.kind = kind
        self.factor = factor
        self.every = every
        self.warmupEpochs = warmupEpochs
        self.minimum = minimum
    }

    public static let constant = LearningRateSchedule(kind: .constant)

    public func validate() throws(ModelError) {
        if let factor, !(factor > 0 && factor <= 1) {
            throw .invalidOption(name: "schedule.factor", reason: "expected a number in (0, 1], found \(factor)")
        }
        if let every, every < 1 {
            throw .invalidOption(name: "schedule.every", reason: "expected at least 1 epoch, found \(every)")
        }
        if let warmupEpochs, warmupEpochs < 0 {
            throw .invalidOption(
                name: "schedule.warmupEpochs", reason: "expected 0 or more epochs, found \(warmupEpochs)")
        }
    }

    /// The rate at optimizer step `step` (from 0) of a run of `totalSteps`.
    public func rate(base: Double, step: Int, stepsPerEpoch: Int, totalSteps: Int) -> Double {
        let epochFraction = Double(step) / Double(max(1, stepsPerEpoch))
        switch kind {
        case .constant:
            return base
        case .step:
            let completed = step / max(1, stepsPerEpoch)
            return base * pow(factor ?? 0.5, Double(completed / max(1, every ?? 10)))
        case .exponential:
            return base * pow(factor ?? 0.9, epochFraction)
        case .cosine:
            let warmup = (warmupEpochs ?? 0) * Double(stepsPerEpoch)
            let low = minimum ?? 0
            if Double(step) < warmup { return base * Double(step + 1) / warmup }
            let progress = min(1, (Double(step) - warmup) / max(1, Double(totalSteps) - warmup))
            return low + (base - low) * 0.5 * (1 + cos(Double.pi * progress))
        case .oneCycle:
            let peakStep = 0.3 * Double(totalSteps) - 1
            let initial = base / 25
            let final = initial / 1e4
            func anneal(_ from: Double, _ to: Double, _ p: Double) -> Double {
                to + (from - to) / 2 * (1 + cos(Double.pi * p))
            }
            if Double(step) <= peakStep {
                return anneal(initial, base, Double(step) / max(1, peakStep))
            }
            let downSteps = Double(totalSteps) - 1 - peakStep
            return anneal(base, final, min(1, (Double(step) - peakStep) / max(1, downSteps)))
        }
    }
}
