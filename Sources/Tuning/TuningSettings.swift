import FashionData
import Foundation
import Glibc
import Inference
import NeuralNet
import RunStore
import Studies

/// How one `fashion tune` run searches: the study's name in the store, the sampler and
/// pruner, the budget, and the seed (of the validation split, the samplers and every trial's
/// weights and shuffling, so trials differ only by their parameters).
public struct TuningSettings: Codable, Equatable, Sendable {
    public var study: String
    public var sampler: SamplerKind
    public var pruner: PrunerSettings
    /// Trials in the whole study, over every worker and every resume.
    public var trials: Int
    /// Seconds after which this process starts no new trial (the running ones finish).
    public var timeLimit: Double?
    public var seed: UInt64
    /// TPE: random trials before the model takes over.
    public var startupTrials: Int

    public init(
        study: String, sampler: SamplerKind = .tpe, pruner: PrunerSettings = PrunerSettings(kind: .median),
        trials: Int = 30,
        timeLimit: Double? = nil, seed: UInt64 = 1, startupTrials: Int = 10
    ) {
        self.study = study
        self.sampler = sampler
        self.pruner = pruner
        self.trials = trials
        self.timeLimit = timeLimit
        self.seed = seed
        self.startupTrials = startupTrials
    }
}
