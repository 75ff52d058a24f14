import FashionData
import Foundation
import NeuralNet
import RunStore
import Studies
import _Files

/// A finished search: every trial, the parameter importances, and the best configuration
/// retrained on the whole training set and evaluated once on the test set. Written as
/// tuning.json beside report.html.
public struct TuningResult: Codable, Sendable {
    /// One trial as the report lists it.
    public struct Trial: Codable, Sendable {
        public let number: Int
        public let state: String
        public let value: Double?
        public let epochs: Int
        public let seconds: Double?
        public let parameters: Assignment
    }

    /// How much one parameter explains of the validation score.
    public struct Importance: Codable, Sendable {
        public let parameter: String
        /// The share of the variance of validation accuracy among complete trials that the
        /// parameter explains alone (η², numeric ranges in quartile bins).
        public let etaSquared: Double
    }

    /// The best trial retrained on the whole training set and tested once.
    public struct Final: Codable, Sendable {
        public let trial: Int
        public let validationAccuracy: Double
        public let testAccuracy: Double
        public let testLoss: Double
        public let epochs: Int
        public let trainingSeconds: Double
        public let trainingImages: Int
        public let modelFile: String
        public let experimentFile: String
        /// What the trials' values measure (nil in files from before tags: validation accuracy).
        public var objective: String? = nil
        /// A tagger's mean average precision on the test set.
        public var testMeanAveragePrecision: Double? = nil

        /// Whether the search maximised the tags' mean average precision.
        public var isTagging: Bool { objective == Tagging.objective }
        /// The trials' measure, in words.
        public var objectiveLabel: String { isTagging ? "validation mean average precision" : "validation accuracy" }
    }

    public let study: String
    public let space: SearchSpace
    public let settings: TuningSettings
    public let trials: [Trial]
    public let importance: [Importance]
    public let final: Final

    /// Retrains the best complete trial's configuration on all of `dataset.train`, evaluates it
    /// once on the test set, and writes the model, an experiment file, tuning.json and report.html.
    static func finish(
        space: SearchSpace, settings: TuningSettings, trials observations: [Observation], dataset: Dataset,
        threads: Int, folder: URL,
        store: any RunStorage, progress: @Sendable (String) -> Void
    ) throws -> TuningResult {
        let complete = observations.filter { $0.state == .complete && $0.value != nil }
        guard let best = complete.max(by: { ($0.value ?? 0) < ($1.value ?? 0) }) else {
            let counts = Dictionary(grouping: observations, by: { "\($0.state)" }).map { "\($0.value.count) \($0.key)" }
                .sorted()
            throw TuningError.failed(
                "no trial of study '\(settings.study)' completed (\(counts.joined(separator: ", "))); nothing to "
                    + "retrain"
            )
        }
        var (architecture, options) = try Knobs.configuration(
            best.parameters, inputSize: dataset.train.pixelsPerImage, classes: dataset.classCount,
            imageShape: dataset.train.shape)
        if dataset.isMultiLabel { (architecture, options) = (Tagging.model(architecture), Tagging.options(options)) }
        progress(
            "retraining trial \(best.number) on all \(dataset.train.count) training images for \(options.epochs) "
                + "epochs, then testing once"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let modelURL = folder.appendingPathComponent("best-model.safetensors")
        let experimentURL = folder.appendingPathComponent("best-experiment.json")
        let plan = TrainingPlan(
            kind: .tune, name: "\(settings.study) trial \(best.number)", study: settings.study,
            architecture: architecture,
            options: options, seed: settings.seed, validationSplit: 0, threads: threads, modelFile: modelURL,
            evaluatesOnTest: true,
            extraMetrics: [Tuner.objective(for: dataset): best.value ?? .nan],
            extraArtifacts: [
                StoredArtifact(kind: "experiment", path: experimentURL.path),
                StoredArtifact(kind: "report", path: folder.appendingPathComponent("report.html").path),
            ])
        let outcome = try TrainingRun(plan, dataset: dataset).execute(store: store)
        let history = outcome.history
        let trained = outcome.options
        guard let test = outcome.test else { throw TuningError.failed("the retrained model was not tested") }

        let experiment = Experiment(
            name: "\(settings.study)-best",
            description:
                "The best configuration of tuning study '\(settings.study)' (trial \(best.number)), found on a "
                + "\(Int(space.validationSplit * 100))% validation split.",
            validationSplit: space.validationSplit, seeds: [1, 2, 3],
            models: [
                .init(
                    name: "tuned", description: describe(best.parameters), architecture: architecture, training: trained
                )
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](encoder.encode(experiment)), to: experimentURL)

        let result = TuningResult(
            study: settings.study, space: space, settings: settings,
            trials: observations.map {
                Trial(
                    number: $0.number, state: "\($0.state)", value: $0.value, epochs: $0.steps.keys.max() ?? 0,
                    seconds: $0.seconds, parameters: $0.parameters)
            },
            importance: importance(space: space, trials: complete),
            final: Final(
                trial: best.number, validationAccuracy: best.value ?? 0, testAccuracy: test.accuracy,
                testLoss: test.loss,
                epochs: history.epochs.count, trainingSeconds: history.totalSeconds,
                trainingImages: dataset.train.count,
                modelFile: modelURL.path, experimentFile: experimentURL.path, objective: Tuner.objective(for: dataset),
                testMeanAveragePrecision: test.meanAveragePrecision))
        try AtomicFile.write([UInt8](encoder.encode(result)), to: folder.appendingPathComponent("tuning.json"))
        try AtomicFile.write(text: TuningReport(result: result).html, to: folder.appendingPathComponent("report.html"))
        return result
    }

    /// η² of each parameter: between-group over total variance of the complete trials'
    /// values, grouping by choice (numeric ranges: by quartile; inactive: a group of its own).
    static func importance(space: SearchSpace, trials: [Observation]) -> [Importance] {
        let values = trials.compactMap(\.value)
        guard values.count >= 3 else { return [] }
        let mean = values.reduce(0, +) / Double(values.count)
        let total = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard total > 0 else { return [] }
        var result = [Importance]()
        for parameter in space.parameters {
            if case .fixed = parameter.domain { continue }
            let keys: [String]
            if case .range = parameter.domain {
                let numbers = trials.compactMap { $0.parameters[parameter.name]?.number }.sorted()
                let cuts =
                    numbers.isEmpty
                    ? [] : [0.25, 0.5, 0.75].map { numbers[min(numbers.count - 1, Int(Double(numbers.count) * $0))] }
                keys = trials.map { t in
                    guard let x = t.parameters[parameter.name]?.number else { return "inactive" }
                    return "q\(cuts.filter { x >= $0 }.count)"
                }
            } else {
                keys = trials.map { $0.parameters[parameter.name]?.description ?? "inactive" }
            }
            var groups = [String: [Double]]()
            for (key, value) in zip(keys, values) { groups[key, default: []].append(value) }
            let between = groups.values.reduce(0.0) { sum, group in
                let m = group.reduce(0, +) / Double(group.count)
                return sum + Double(group.count) * (m - mean) * (m - mean)
            }
            result.append(Importance(parameter: parameter.name, etaSquared: between / total))
        }
        return result.sorted { $0.etaSquared > $1.etaSquared }
    }

    /// `learning_rate=0.0012 units=256 ...`, by name.
    static func describe(_ parameters: Assignment) -> String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// The best trials as a text table, best first (pruned and failed trials after the complete ones).
    public func leaderboard(top: Int = 10) -> String {
        let ranked = trials.filter { $0.state == "complete" }.sorted { ($0.value ?? 0) > ($1.value ?? 0) }
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + fill : fill + text
        }
        var lines = [
            [
                pad("rank", 4), pad("trial", 5), pad("state", 8, left: true),
                pad(final.isTagging ? "val_map" : "val_acc", 7), pad("epochs", 6),
                "parameters",
            ].joined(separator: "  ")
        ]
        for (i, t) in ranked.prefix(top).enumerated() {
            lines.append(
                [
                    pad("\(i + 1)", 4), pad("\(t.number)", 5), pad(t.state, 8, left: true),
                    String(format: "%7.4f", t.value ?? 0),
                    pad("\(t.epochs)", 6), Self.describe(t.parameters),
                ].joined(separator: "  "))
        }
        let counts = Dictionary(grouping: trials, by: \.state).map { "\($0.value.count) \($0.key)" }.sorted().joined(
            separator: ", ")
        lines.append("\(trials.count) trials: \(counts)")
        return lines.joined(separator: "\n")
    }
}
