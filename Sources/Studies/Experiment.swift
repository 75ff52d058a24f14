import Foundation
import NeuralNet
import _Files

/// An experiment file: models to train and compare on one dataset, each with several seeds.
/// A model is a preset of the seed study, or an architecture with its training options.
public struct Experiment: Codable, Sendable {
    /// One model of an experiment: a preset or an architecture, with its training options.
    public struct Entry: Codable, Sendable {
        public var name: String
        public var description: String?
        public var preset: String?
        public var architecture: ModelSpecification?
        public var training: TrainingOptions?
        /// How many of the study's seeds this model runs, from the first (all by default): a
        /// model that trains for many minutes can run once while the others run three times.
        public var seedCount: Int?

        public init(
            name: String, description: String? = nil, preset: String? = nil, architecture: ModelSpecification? = nil,
            training: TrainingOptions? = nil, seedCount: Int? = nil
        ) {
            self.seedCount = seedCount
            self.name = name
            self.description = description
            self.preset = preset
            self.architecture = architecture
            self.training = training
        }
    }

    public var name: String
    public var description: String?
    /// The share of the training set held out (stratified) for validation curves and model
    /// selection; the test set is used once, at the end.
    public var validationSplit: Double
    public var seeds: [UInt64]
    public var models: [Entry]

    public init(name: String, description: String? = nil, validationSplit: Double, seeds: [UInt64], models: [Entry]) {
        self.name = name
        self.description = description
        self.validationSplit = validationSplit
        self.seeds = seeds
        self.models = models
    }

    public static func read(from url: URL) throws(StudyError) -> Experiment {
        if let problem = FileReading.notAFile(atPath: url.path) {
            throw .experimentFile(path: url.path, reason: problem)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .experimentFile(path: url.path, reason: "cannot read the file (missing or unreadable)")
        }
        let experiment: Experiment
        do { experiment = try JSONDecoder().decode(Experiment.self, from: data) } catch {
            throw .experimentFile(path: url.path, reason: "not a valid experiment file: \(Self.describe(error))")
        }
        try experiment.validate(path: url.path)
        return experiment
    }

    func validate(path: String) throws(StudyError) {
        guard !models.isEmpty else {
            throw .experimentFile(path: path, reason: "'models' is empty; list at least one model")
        }
        guard !seeds.isEmpty else {
            throw .experimentFile(path: path, reason: "'seeds' is empty; list at least one seed")
        }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw .experimentFile(path: path, reason: "'validationSplit' must be in [0, 1), found \(validationSplit)")
        }
        var names = Set<String>()
        for model in models {
            guard names.insert(model.name).inserted else {
                throw .experimentFile(path: path, reason: "two models are named '\(model.name)'")
            }
            if let count = model.seedCount, count < 1 {
                throw .experimentFile(
                    path: path, reason: "model '\(model.name)': 'seedCount' must be at least 1, found \(count)")
            }
            _ = try resolve(model, path: path)
        }
    }

    /// The architecture and training options of an entry.
    public func resolve(_ entry: Entry, path: String = "experiment") throws(StudyError) -> (
        ModelSpecification, TrainingOptions
    ) {
        if let presetName = entry.preset {
            guard let preset = Preset.named(presetName) else {
                throw .experimentFile(
                    path: path,
                    reason:
                        "model '\(entry.name)': unknown preset '\(presetName)'; known: "
                        + "\(Preset.all.map(\.name).joined(separator: ", "))"
                )
            }
            return (entry.architecture ?? preset.model, entry.training ?? preset.options)
        }
        guard let architecture = entry.architecture else {
            throw .experimentFile(path: path, reason: "model '\(entry.name)' needs a 'preset' or an 'architecture'")
        }
        return (architecture, entry.training ?? TrainingOptions())
    }

    /// A decoding error as a user reads it: which field, what was wrong.
    public static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return
                "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}
