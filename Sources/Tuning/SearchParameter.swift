import Foundation

/// One knob of a search: a list of choices, a numeric range (optionally on a log scale or
/// integer), or a fixed value; active only `when` earlier parameters have one of the listed values.
///
/// ```json
/// {"name": "learning_rate", "low": 1e-4, "high": 1e-2, "log": true}
/// {"name": "hidden_layers", "low": 1, "high": 3, "integer": true}
/// {"name": "activation", "values": ["relu", "gelu"]}
/// {"name": "momentum", "low": 0.8, "high": 0.99, "when": {"optimizer": ["sgd"]}}
/// ```
public struct SearchParameter: Codable, Equatable, Sendable {
    public var name: String
    public var values: [ParameterValue]?
    public var low: Double?
    public var high: Double?
    public var log: Bool?
    public var integer: Bool?
    /// The grid sampler's number of points on a float range (log-spaced when `log`).
    public var steps: Int?
    public var value: ParameterValue?
    public var when: [String: [ParameterValue]]?

    public init(
        name: String, values: [ParameterValue]? = nil, low: Double? = nil, high: Double? = nil, log: Bool? = nil,
        integer: Bool? = nil, steps: Int? = nil, value: ParameterValue? = nil, when: [String: [ParameterValue]]? = nil
    ) {
        self.name = name
        self.values = values
        self.low = low
        self.high = high
        self.log = log
        self.integer = integer
        self.steps = steps
        self.value = value
        self.when = when
    }

    /// The values a parameter may take: a choice, a range (linear or logarithmic), or one value.
    public enum Domain: Equatable, Sendable {
        case choice([ParameterValue])
        case range(low: Double, high: Double, log: Bool, integer: Bool)
        case fixed(ParameterValue)
    }

    /// What kind of parameter this is; `SearchSpace.validate` has made sure it is exactly one.
    public var domain: Domain {
        if let value { return .fixed(value) }
        if let values { return .choice(values) }
        return .range(low: low ?? 0, high: high ?? 0, log: log ?? false, integer: integer ?? false)
    }

    /// Whether the parameter applies, given the values chosen so far.
    public func isActive(given chosen: [String: ParameterValue]) -> Bool {
        guard let when else { return true }
        return when.allSatisfy { parent, allowed in chosen[parent].map(allowed.contains) ?? false }
    }

    /// The values the grid sampler visits.
    /// The most points a grid may have (the product of its parameters' values), and so the
    /// most values one parameter may give it: a grid is listed whole before it is searched.
    public static let gridLimit = 100_000

    func gridValues() throws(TuningError) -> [ParameterValue] {
        switch domain {
        case .fixed(let v): return [v]
        case .choice(let values): return values
        case .range(let low, let high, let log, let integer):
            if integer, steps == nil {
                let count = (high.rounded() - low.rounded() + 1)
                guard count <= Double(Self.gridLimit) else {
                    throw .space(
                        "parameter '\(name)': an integer range of \(Int(min(count, 1e18))) values is too large for "
                            + "the grid sampler (at most \(Self.gridLimit)); give 'steps' or 'values'")
                }
                return stride(from: low.rounded(), through: high.rounded(), by: 1).map { .number($0) }
            }
            guard let steps, steps >= 2 else {
                throw .space(
                    "parameter '\(name)': the grid sampler needs 'values' or 'steps' (2 or more) for a float range")
            }
            guard steps <= Self.gridLimit else {
                throw .space(
                    "parameter '\(name)': 'steps' is \(steps); the grid sampler takes at most \(Self.gridLimit)")
            }
            return (0..<steps).map { i in
                let t = Double(i) / Double(steps - 1)
                let x =
                    log
                    ? Foundation.exp(Foundation.log(low) + t * (Foundation.log(high) - Foundation.log(low)))
                    : low + t * (high - low)
                return .number(integer ? x.rounded() : x)
            }
        }
    }
}
