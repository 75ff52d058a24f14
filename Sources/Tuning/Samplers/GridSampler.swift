import Foundation
import NumericCore

/// Every point of the grid, in a seeded shuffled order; each proposal is the first point no
/// trial has yet.
public struct GridSampler: Sampler {
    public let space: SearchSpace
    public let seed: UInt64

    public func points() throws(TuningError) -> [Assignment] {
        // The grid's size is checked before it is listed.
        var size = 1
        for parameter in space.parameters {
            let (product, overflow) = size.multipliedReportingOverflow(by: max(1, try parameter.gridValues().count))
            guard !overflow, product <= SearchParameter.gridLimit else {
                throw .space(
                    "the grid has more than \(SearchParameter.gridLimit) points (the product of every parameter's "
                        + "values); give fewer values or steps, or use the tpe or random sampler")
            }
            size = product
        }
        var results = [Assignment()]
        for parameter in space.parameters {
            let values = try parameter.gridValues()
            results = results.flatMap { partial in
                parameter.isActive(given: partial)
                    ? values.map { v in partial.merging([parameter.name: v]) { $1 } } : [partial]
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

/// A numeric range in the space the samplers work in: logarithms for log ranges, and for
/// integers widened by half a step each side so that the ends are as likely as the middle.
struct NumericRange {
    let lower: Double, upper: Double, log: Bool, integer: Bool, low: Double, high: Double

    init(low: Double, high: Double, log: Bool, integer: Bool) {
        self.low = low
        self.high = high
        self.log = log
        self.integer = integer
        let a = integer ? low.rounded() - 0.5 : low
        let b = integer ? high.rounded() + 0.5 : high
        lower = log ? Foundation.log(max(a, integer ? 0.5 : a)) : a
        upper = log ? Foundation.log(b) : b
    }

    func value(fromInternal x: Double) -> Double {
        let v = log ? Foundation.exp(x) : x
        return integer ? min(high.rounded(), max(low.rounded(), v.rounded())) : min(high, max(low, v))
    }

    func internalValue(_ value: Double) -> Double { log ? Foundation.log(max(value, 1e-300)) : value }
}
