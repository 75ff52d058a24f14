import Foundation
import NumericCore

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

    static func draw(_ domain: SearchParameter.Domain, using generator: inout SeededGenerator) -> ParameterValue {
        switch domain {
        case .fixed(let v): return v
        case .choice(let values): return values[generator.nextIndex(below: values.count)]
        case .range(let low, let high, let log, let integer):
            let bounds = NumericRange(low: low, high: high, log: log, integer: integer)
            return .number(bounds.value(fromInternal: bounds.lower + generator.unit() * (bounds.upper - bounds.lower)))
        }
    }
}
