import Foundation

/// The pruners a study can use: the median rule, successive halving, or none.
public enum PrunerKind: String, Codable, Sendable, CaseIterable {
    /// Optuna's MedianPruner: stop a trial whose validation accuracy after an epoch is below
    /// the median of the complete trials' accuracies after the same epoch.
    case median
    /// Optuna's SuccessiveHalvingPruner (asynchronous): at rungs of `minEpochs × factor^k`
    /// epochs, a trial goes on only if it is in the best 1/factor of the trials that reached
    /// that rung.
    case halving
    case none
}

/// Which pruner, with its settings (Optuna's defaults where not given).
public struct PrunerSettings: Codable, Equatable, Sendable {
    public var kind: PrunerKind
    /// Median: prune nothing until this many trials are complete (5).
    public var startupTrials: Int?
    /// Median: never prune at or before this epoch (1).
    public var warmupEpochs: Int?
    /// Halving: the first rung, in epochs (1).
    public var minEpochs: Int?
    /// Halving: the reduction factor η (3).
    public var reductionFactor: Int?

    public init(
        kind: PrunerKind, startupTrials: Int? = nil, warmupEpochs: Int? = nil, minEpochs: Int? = nil,
        reductionFactor: Int? = nil
    ) {
        self.kind = kind
        self.startupTrials = startupTrials
        self.warmupEpochs = warmupEpochs
        self.minEpochs = minEpochs
        self.reductionFactor = reductionFactor
    }

    public func validate() throws(TuningError) {
        if let startupTrials, startupTrials < 0 {
            throw .space("pruner 'startupTrials': expected 0 or more, found \(startupTrials)")
        }
        if let warmupEpochs, warmupEpochs < 0 {
            throw .space("pruner 'warmupEpochs': expected 0 or more, found \(warmupEpochs)")
        }
        if let minEpochs, minEpochs < 1 { throw .space("pruner 'minEpochs': expected at least 1, found \(minEpochs)") }
        if let reductionFactor, reductionFactor < 2 {
            throw .space("pruner 'reductionFactor': expected at least 2, found \(reductionFactor)")
        }
    }

    /// Whether a trial that reached `value` after `epoch` epochs should stop, given the
    /// other trials of the study (each pruner picks the ones it compares with: the median rule
    /// complete trials, halving every trial that reached the rung except interrupted ones).
    public func shouldPrune(epoch: Int, value: Double, others: [Observation]) -> Bool {
        switch kind {
        case .none:
            return false
        case .median:
            guard epoch > (warmupEpochs ?? 1) else { return false }
            let complete = others.filter { $0.state == .complete }
            guard complete.count >= (startupTrials ?? 5) else { return false }
            let peers = complete.compactMap { $0.steps[epoch] }.sorted()
            guard !peers.isEmpty else { return false }
            let median =
                peers.count % 2 == 1
                ? peers[peers.count / 2] : (peers[peers.count / 2 - 1] + peers[peers.count / 2]) / 2
            return value < median
        case .halving:
            let eta = reductionFactor ?? 3
            let first = minEpochs ?? 1
            var rung = first
            while rung < epoch { rung *= eta }
            guard rung == epoch else { return false }
            var competing = others.filter { $0.state != .interrupted }.compactMap { $0.steps[epoch] } + [value]
            competing.sort()
            let promotable = max(0, competing.count / eta - 1)
            return value < competing[competing.count - 1 - promotable]
        }
    }
}
