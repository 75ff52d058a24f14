import Foundation
import Studies

/// A value a parameter can take: a number, a word or a flag, as written in the space file.
public enum ParameterValue: Codable, Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case flag(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let flag = try? c.decode(Bool.self) { self = .flag(flag) } else if let number = try? c.decode(Double.self) {
            self = .number(number)
        } else if let text = try? c.decode(String.self) { self = .text(text) } else {
            throw DecodingError.typeMismatch(ParameterValue.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number, a string or true/false"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .number(n): try c.encode(n)
        case let .text(t): try c.encode(t)
        case let .flag(f): try c.encode(f)
        }
    }

    public var number: Double? { if case let .number(n) = self { n } else { nil } }

    public var description: String {
        switch self {
        case let .number(n): n == n.rounded() && abs(n) < 1e9 ? String(Int(n)) : String(format: "%.4g", n)
        case let .text(t): t
        case let .flag(f): f ? "true" : "false"
        }
    }
}

/// One knob of a search: a list of choices, a numeric range (optionally on a log scale or
/// integer), or a fixed value; active only `when` earlier parameters have one of the listed values.
///
/// ```json
/// {"name": "learning_rate", "low": 1e-4, "high": 1e-2, "log": true}
/// {"name": "hidden_layers", "low": 1, "high": 3, "integer": true}
/// {"name": "activation", "values": ["relu", "gelu"]}
/// {"name": "momentum", "low": 0.8, "high": 0.99, "when": {"optimizer": ["sgd"]}}
/// ```
public struct Parameter: Codable, Equatable, Sendable {
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

    public init(name: String, values: [ParameterValue]? = nil, low: Double? = nil, high: Double? = nil, log: Bool? = nil,
                integer: Bool? = nil, steps: Int? = nil, value: ParameterValue? = nil, when: [String: [ParameterValue]]? = nil) {
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
    func gridValues() throws(TuningError) -> [ParameterValue] {
        switch domain {
        case let .fixed(v): return [v]
        case let .choice(values): return values
        case let .range(low, high, log, integer):
            if integer, steps == nil { return stride(from: low.rounded(), through: high.rounded(), by: 1).map { .number($0) } }
            guard let steps, steps >= 2 else {
                throw .space("parameter '\(name)': the grid sampler needs 'values' or 'steps' (2 or more) for a float range")
            }
            return (0..<steps).map { i in
                let t = Double(i) / Double(steps - 1)
                let x = log ? Foundation.exp(Foundation.log(low) + t * (Foundation.log(high) - Foundation.log(low))) : low + t * (high - low)
                return .number(integer ? x.rounded() : x)
            }
        }
    }
}

/// The search space file: the parameters, the validation split every decision is made on,
/// and defaults for the budget, sampler and pruner (the command line can override them).
public struct SearchSpace: Codable, Equatable, Sendable {
    public var name: String
    public var description: String?
    public var validationSplit: Double
    public var parameters: [Parameter]
    public var trials: Int?
    public var timeLimit: Double?
    public var sampler: SamplerKind?
    public var pruner: PrunerSettings?
    public var seed: UInt64?

    public init(name: String, description: String? = nil, validationSplit: Double = 0.1, parameters: [Parameter], trials: Int? = nil,
                timeLimit: Double? = nil, sampler: SamplerKind? = nil, pruner: PrunerSettings? = nil, seed: UInt64? = nil) {
        self.name = name
        self.description = description
        self.validationSplit = validationSplit
        self.parameters = parameters
        self.trials = trials
        self.timeLimit = timeLimit
        self.sampler = sampler
        self.pruner = pruner
        self.seed = seed
    }

    public static func read(from url: URL) throws(TuningError) -> SearchSpace {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .file(path: url.path, reason: "cannot read the file (missing or unreadable)")
        }
        let space: SearchSpace
        do { space = try JSONDecoder().decode(SearchSpace.self, from: data) } catch {
            throw .file(path: url.path, reason: "not a valid search space: \(Experiment.describe(error))")
        }
        do { try space.validate() } catch { throw .file(path: url.path, reason: error.reason) }
        return space
    }

    public func validate() throws(TuningError) {
        guard !parameters.isEmpty else { throw .space("'parameters' is empty; list at least one") }
        guard validationSplit > 0, validationSplit < 1 else {
            throw .space("'validationSplit' must be in (0, 1): every decision is made on validation data; found \(validationSplit)")
        }
        if let trials, trials < 1 { throw .space("'trials' must be at least 1, found \(trials)") }
        var seen = [String: Parameter]()
        for p in parameters {
            guard seen[p.name] == nil else { throw .space("two parameters are named '\(p.name)'") }
            let kinds = [p.value != nil, p.values != nil, p.low != nil || p.high != nil].filter { $0 }.count
            guard kinds == 1 else {
                throw .space("parameter '\(p.name)': give exactly one of 'value', 'values', or 'low' and 'high'")
            }
            if case let .choice(values) = p.domain, values.isEmpty { throw .space("parameter '\(p.name)': 'values' is empty") }
            if case let .range(low, high, log, _) = p.domain {
                guard p.low != nil, p.high != nil, low.isFinite, high.isFinite, low < high else {
                    throw .space("parameter '\(p.name)': expected 'low' < 'high', found \(p.low.map { "\($0)" } ?? "none") and \(p.high.map { "\($0)" } ?? "none")")
                }
                if log, low <= 0 { throw .space("parameter '\(p.name)': a log range needs 'low' > 0, found \(low)") }
            }
            for (parent, allowed) in p.when ?? [:] {
                guard let parentParameter = seen[parent] else {
                    throw .space("parameter '\(p.name)': its condition names '\(parent)', which must be a parameter listed before it")
                }
                if case let .choice(values) = parentParameter.domain, let stray = allowed.first(where: { !values.contains($0) }) {
                    throw .space("parameter '\(p.name)': its condition on '\(parent)' lists \(stray), which is not one of \(parent)'s values")
                }
            }
            try Knobs.check(p)
            seen[p.name] = p
        }
    }

    /// The space as canonical JSON: two workers share a study only if these are equal.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var parametersOnly = self
        parametersOnly.trials = nil
        parametersOnly.timeLimit = nil
        parametersOnly.sampler = nil
        parametersOnly.pruner = nil
        parametersOnly.description = nil
        return String(decoding: (try? encoder.encode(parametersOnly)) ?? Data(), as: UTF8.self)
    }
}

/// A trial's parameters: only the active ones are present.
public typealias Assignment = [String: ParameterValue]

extension Assignment {
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ json: String) -> Assignment {
        (try? JSONDecoder().decode(Assignment.self, from: Data(json.utf8))) ?? [:]
    }
}

public enum TuningError: Error, CustomStringConvertible, LocalizedError {
    case file(path: String, reason: String)
    case space(String)
    case failed(String)

    public var description: String {
        switch self {
        case let .file(path, reason): "\(path): \(reason)"
        case let .space(reason), let .failed(reason): reason
        }
    }

    var reason: String {
        switch self {
        case let .file(_, reason), let .space(reason), let .failed(reason): reason
        }
    }

    public var errorDescription: String? { description }
}
