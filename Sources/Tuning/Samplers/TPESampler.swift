import Foundation
import NumericCore

/// The tree-structured Parzen estimator (Bergstra et al. 2011) with Optuna's defaults: the
/// first `startupTrials` trials are random; after that, finished trials are split into the
/// best γ(n) = min(⌈0.1 n⌉, 25) and the rest, each parameter gets a density l(x) over the
/// good trials and g(x) over the others (a Parzen mixture plus a flat prior component), and
/// of 24 candidates drawn from l the one with the largest l(x)/g(x) is taken. Parameters are
/// modelled independently; a conditional parameter uses only the trials where it was active.
///
/// Complete trials rank by value; pruned ones rank after them, deeper ones (more epochs)
/// first. Running trials are not used.
public struct TPESampler: Sampler {
    public let space: SearchSpace
    public let seed: UInt64
    public let startupTrials: Int
    public let candidates = 24

    public init(space: SearchSpace, seed: UInt64, startupTrials: Int = 10) {
        self.space = space
        self.seed = seed
        self.startupTrials = startupTrials
    }

    public func propose(number: Int, history: [Observation]) throws(TuningError) -> Assignment? {
        let ranked = Self.rank(history)
        guard ranked.count >= startupTrials else {
            return try RandomSampler(space: space, seed: seed).propose(number: number, history: history)
        }
        let goodCount = min(Int((0.1 * Double(ranked.count)).rounded(.up)), 25)
        let good = Array(ranked.prefix(goodCount))
        let bad = Array(ranked.dropFirst(goodCount))
        var generator = SeededGenerator.forTrial(number, seed: seed)
        var chosen = Assignment()
        for parameter in space.parameters where parameter.isActive(given: chosen) {
            let goodValues = good.compactMap { $0.parameters[parameter.name] }
            let badValues = bad.compactMap { $0.parameters[parameter.name] }
            switch parameter.domain {
            case .fixed(let v):
                chosen[parameter.name] = v
            case .choice(let values):
                chosen[parameter.name] = Self.pickCategory(
                    values, good: goodValues, bad: badValues, candidates: candidates, using: &generator)
            case .range(let low, let high, let log, let integer):
                let range = NumericRange(low: low, high: high, log: log, integer: integer)
                let l = Parzen(range: range, observations: goodValues.compactMap(\.number).map(range.internalValue))
                let g = Parzen(range: range, observations: badValues.compactMap(\.number).map(range.internalValue))
                var best = (score: -Double.infinity, x: 0.0)
                for _ in 0..<candidates {
                    let x = l.sample(using: &generator)
                    let score = l.logDensity(x) - g.logDensity(x)
                    if score > best.score { best = (score, x) }
                }
                chosen[parameter.name] = .number(range.value(fromInternal: best.x))
            }
        }
        return chosen
    }

    /// Complete trials by value (best first), then pruned ones by depth and value.
    static func rank(_ history: [Observation]) -> [Observation] {
        let complete = history.filter { $0.state == .complete && $0.value != nil }.sorted {
            ($0.value ?? 0) > ($1.value ?? 0)
        }
        let pruned = history.filter { $0.state == .pruned && !$0.steps.isEmpty }.sorted { a, b in
            let sa = a.steps.keys.max() ?? 0
            let sb = b.steps.keys.max() ?? 0
            return sa != sb ? sa > sb : (a.steps[sa] ?? 0) > (b.steps[sb] ?? 0)
        }
        return complete + pruned
    }

    /// Categorical TPE: each density is the observed counts plus a prior of weight 1 spread
    /// evenly over the choices.
    static func pickCategory(
        _ values: [ParameterValue], good: [ParameterValue], bad: [ParameterValue], candidates: Int,
        using generator: inout SeededGenerator
    ) -> ParameterValue {
        func probabilities(_ observed: [ParameterValue]) -> [Double] {
            let total = Double(observed.count) + 1
            return values.map { v in (Double(observed.filter { $0 == v }.count) + 1 / Double(values.count)) / total }
        }
        let l = probabilities(good)
        let g = probabilities(bad)
        var best = (score: -Double.infinity, index: 0)
        for _ in 0..<candidates {
            var u = generator.unit()
            var index = 0
            while index < values.count - 1, u >= l[index] {
                u -= l[index]
                index += 1
            }
            let score = Foundation.log(l[index]) - Foundation.log(g[index])
            if score > best.score { best = (score, index) }
        }
        return values[best.index]
    }
}

/// A mixture of truncated normals on a range: one per observation and a wide prior in the
/// middle, equal weights. Each observation's spread is the larger gap to its neighbours
/// (hyperopt's rule), clipped to [width / min(100, n + 1), width].
struct Parzen {
    let range: NumericRange
    let means: [Double]
    let spreads: [Double]

    init(range: NumericRange, observations: [Double]) {
        self.range = range
        let width = range.upper - range.lower
        let prior = (range.lower + range.upper) / 2
        let sorted = (observations + [prior]).sorted()
        var means = [Double]()
        var spreads = [Double]()
        let minimum = width / min(100, Double(sorted.count) + 1)
        for (i, mu) in sorted.enumerated() {
            let left = i > 0 ? mu - sorted[i - 1] : mu - range.lower
            let right = i + 1 < sorted.count ? sorted[i + 1] - mu : range.upper - mu
            means.append(mu)
            spreads.append(min(width, max(minimum, max(left, right))))
        }
        // The prior component is wide whatever its neighbours.
        if let p = means.firstIndex(of: prior) { spreads[p] = width }
        self.means = means
        self.spreads = spreads
    }

    func sample(using generator: inout SeededGenerator) -> Double {
        let k = generator.nextIndex(below: means.count)
        for _ in 0..<100 {
            let x = means[k] + spreads[k] * generator.gaussian()
            if x >= range.lower, x <= range.upper { return x }
        }
        return min(range.upper, max(range.lower, means[k]))
    }

    func logDensity(_ x: Double) -> Double {
        var total = 0.0
        for (mu, sigma) in zip(means, spreads) {
            let mass = Self.cdf((range.upper - mu) / sigma) - Self.cdf((range.lower - mu) / sigma)
            let z = (x - mu) / sigma
            total += Foundation.exp(-0.5 * z * z) / (sigma * (2 * Double.pi).squareRoot() * max(mass, 1e-12))
        }
        return Foundation.log(max(total / Double(means.count), 1e-300))
    }

    static func cdf(_ z: Double) -> Double { 0.5 * (1 + erf(z / 2.0.squareRoot())) }
}
