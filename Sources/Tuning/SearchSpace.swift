import Foundation
import Studies

/// The search space file: the parameters, the validation split every decision is made on,
/// and defaults for the budget, sampler and pruner (the command line can override them).
public struct SearchSpace: Codable, Equatable, Sendable {
    public var name: String
    public var description: String?
    public var validationSplit: Double
    public var parameters: [SearchParameter]
    public var trials: Int?
    public var timeLimit: Double?
    public var sampler: SamplerKind?
    public var pruner: PrunerSettings?
    public var seed: UInt64?

    public init(
        name: String, description: String? = nil, validationSplit: Double = 0.1, parameters: [SearchParameter],
        trials: Int? = nil,
        timeLimit: Double? = nil, sampler: SamplerKind? = nil, pruner: PrunerSettings? = nil, seed: UInt64? = nil
    ) {
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
            throw .space(
                "'validationSplit' must be in (0, 1): every decision is made on validation data; found "
                    + "\(validationSplit)"
            )
        }
        if let trials, trials < 1 { throw .space("'trials' must be at least 1, found \(trials)") }
        var seen = [String: SearchParameter]()
        for p in parameters {
            guard seen[p.name] == nil else { throw .space("two parameters are named '\(p.name)'") }
            let kinds = [p.value != nil, p.values != nil, p.low != nil || p.high != nil].filter { $0 }.count
            guard kinds == 1 else {
                throw .space("parameter '\(p.name)': give exactly one of 'value', 'values', or 'low' and 'high'")
            }
            if case .choice(let values) = p.domain, values.isEmpty {
                throw .space("parameter '\(p.name)': 'values' is empty")
            }
            if case .range(let low, let high, let log, _) = p.domain {
                guard p.low != nil, p.high != nil, low.isFinite, high.isFinite, low < high else {
                    throw .space(
                        "parameter '\(p.name)': expected 'low' < 'high', found \(p.low.map { "\($0)" } ?? "none") "
                            + "and \(p.high.map { "\($0)" } ?? "none")"
                    )
                }
                if log, low <= 0 { throw .space("parameter '\(p.name)': a log range needs 'low' > 0, found \(low)") }
            }
            for (parent, allowed) in p.when ?? [:] {
                guard let parentParameter = seen[parent] else {
                    throw .space(
                        "parameter '\(p.name)': its condition names '\(parent)', which must be a parameter listed "
                            + "before it"
                    )
                }
                if case .choice(let values) = parentParameter.domain,
                    let stray = allowed.first(where: { !values.contains($0) })
                {
                    throw .space(
                        "parameter '\(p.name)': its condition on '\(parent)' lists \(stray), which is not one of "
                            + "\(parent)'s values"
                    )
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
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ json: String) -> Assignment {
        (try? JSONDecoder().decode(Assignment.self, from: Data(json.utf8))) ?? [:]
    }
}
