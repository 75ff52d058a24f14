import Foundation
import NumericCore

/// The samplers a study can use: TPE, random or grid.
public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// Tree-structured Parzen estimator (Bergstra et al. 2011), as Optuna's default.
    case tpe
    case random
    /// Every combination once (float ranges need `steps`), in a seeded shuffled order.
    case grid
}

/// Proposes the parameters of trial `number` from what earlier trials found. Draws come from
/// a generator seeded by the study's seed and the trial number, so one worker's search is
/// reproducible; with several workers, which trials have finished depends on timing.
public protocol Sampler: Sendable {
    /// Nil when there is nothing left to try (a finished grid).
    func propose(number: Int, history: [Observation]) throws(TuningError) -> Assignment?
}

extension SamplerKind {
    public func makeSampler(space: SearchSpace, seed: UInt64, startupTrials: Int = 10) -> any Sampler {
        switch self {
        case .tpe: TPESampler(space: space, seed: seed, startupTrials: startupTrials)
        case .random: RandomSampler(space: space, seed: seed)
        case .grid: GridSampler(space: space, seed: seed)
        }
    }
}

extension SeededGenerator {
    /// The generator for trial `number` of a study seeded with `seed`.
    static func forTrial(_ number: Int, seed: UInt64) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ (UInt64(number) &* 0x9E37_79B9_7F4A_7C15))
        return SeededGenerator(seed: mixer.next())
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func gaussian() -> Double {
        let u = max(unit(), 1e-300)
        let v = unit()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
