import Foundation
import NumericCore

public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// Tree-structured Parzen estimator (Bergstra et al. 2011), as Optuna's default.
    case tpe
    case random
    /// Every combination once (float ranges need `steps`), in a seeded shuffled order.
    case grid
}

/// A finished or running trial as the samplers and pruners see it.
public struct Observation: Sendable {
    public enum State: Sendable { case running, complete, pruned, failed
        /// Its worker died; another trial took over its parameters.
        case interrupted
    }

    public var number: Int
    public var parameters: Assignment
    public var state: State
    /// The objective (validation accuracy, higher is better) of a complete trial.
    public var value: Double?
    /// Validation accuracy after each epoch.
    public var steps: [Int: Double]
    public var seconds: Double?

    public init(number: Int, parameters: Assignment, state: State, value: Double? = nil, steps: [Int: Double] = [:], seconds: Double? = nil) {
        self.seconds = seconds
        self.number = number
        self.parameters = parameters
        self.state = state
        self.value = value
        self.steps = steps
    }
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
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// Independent uniform draws: choices equally likely, ranges uniform (or log-uniform).
public struct RandomSampler: Sampler {
    public let space: SearchSpace
    public let seed: UInt64

    public func propose(number: Int, history: [Observation]) throws(TuningError) -> Assignment? {
        var generator = SeededGenerator.forTrial(number, seed: seed)
        var chosen = Assignment()
        for parameter in space.parameters where parameter.isActive(given: chosen) {
            chosen[parameter.name] = Self.draw(parameter.domain, using: &generator)
        }
        return chosen
    }

    static func draw(_ domain: Parameter.Domain, using generator: inout SeededGenerator) -> ParameterValue {
        switch domain {
        case let .fixed(v): return v
        case let .choice(values): return values[generator.nextIndex(below: values.count)]
        case let .range(low, high, log, integer):
            let bounds = NumericRange(low: low, high: high, log: log, integer: integer)
            return .number(bounds.value(fromInternal: bounds.lower + generator.unit() * (bounds.upper - bounds.lower)))
        }
    }
}

/// A numeric range in the space the samplers work in: logarithms for log ranges, and for
/// integers widened by half a step each side so that the ends are as likely as the middle.
struct NumericRange {
    let lower: Double, upper: Double, log: Bool, integer: Bool, low: Double, high: Double

    init(low: Double, high: Double, log: Bool, integer: Bool) {
        self.low = low
        self.high = high
        self.log = log
        self.integer = integer
        let a = integer ? low.rounded() - 0.5 : low, b = integer ? high.rounded() + 0.5 : high
        lower = log ? Foundation.log(max(a, integer ? 0.5 : a)) : a
        upper = log ? Foundation.log(b) : b
    }

    func value(fromInternal x: Double) -> Double {
        let v = log ? Foundation.exp(x) : x
        return integer ? min(high.rounded(), max(low.rounded(), v.rounded())) : min(high, max(low, v))
    }

    func internalValue(_ value: Double) -> Double { log ? Foundation.log(max(value, 1e-300)) : value }
}

/// Every point of the grid, in a seeded shuffled order; each proposal is the first point no
/// trial has yet.
public struct GridSampler: Sampler {
    public let space: SearchSpace
    public let seed: UInt64

    public func points() throws(TuningError) -> [Assignment] {
        var results = [Assignment()]
        for parameter in space.parameters {
            let values = try parameter.gridValues()
            results = results.flatMap { partial in
                parameter.isActive(given: partial) ? values.map { v in partial.merging([parameter.name: v]) { $1 } } : [partial]
            }
        }
        var generator = SeededGenerator(seed: seed)
        results.seededShuffle(using: &generator)
        return results
    }

    public func propose(number: Int, history: [Observation]) throws(TuningError) -> Assignment? {
        let used = Set(history.map(\.parameters))
        return try points().first { !used.contains($0) }
    }
}
