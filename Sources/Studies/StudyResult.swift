import Foundation
import NeuralNet

/// What a study measured, as plain values: written as metrics.json and rendered into the
/// report. Detailed metrics and pictures come from each model's first seed.
public struct StudyResult: Codable, Sendable {
    /// One seed's run of a model: its history, test metrics and files.
    public struct SeedRun: Codable, Sendable {
        public let seed: UInt64
        /// For a tagging study: subset accuracy at the model's thresholds.
        public let testAccuracy: Double
        public let trainingSeconds: Double
        public let history: History
        /// A tagging study's test mean average precision.
        public var testMeanAveragePrecision: Double? = nil

        /// What the study ranks by: test accuracy, or a tagger's mean average precision.
        public var headline: Double { testMeanAveragePrecision ?? testAccuracy }
    }

    /// A model's runs over every seed, with their mean and spread.
    public struct ModelResult: Codable, Sendable {
        public let name: String
        public let architecture: String
        public let parameters: Int
        /// The layer table, as Keras's `model.summary()` prints it.
        public let summary: String
        public let epochs: Int
        public let training: TrainingOptions
        public let runs: [SeedRun]
        /// The mean over seeds of the headline: test accuracy, or for a tagging study test mean
        /// average precision.
        public let meanAccuracy: Double
        public let accuracyStandardDeviation: Double
        /// The first seed's model on the test set; picture names are relative to the model's
        /// folder. A classifier's (nil in a tagging study).
        public let evaluation: Evaluation?
        /// A tagger's evaluation of its first seed (nil for a classifier).
        public var tagging: TagEvaluation? = nil

        /// The classes (tags) and each one's F1, from the first seed's evaluation.
        public var classNames: [String] { evaluation?.report.classNames ?? tagging?.tagNames ?? [] }
        public var perClassF1: [Double] {
            evaluation?.report.perClass.map(\.f1) ?? tagging?.metrics.perTag.map(\.f1) ?? []
        }
        /// The class (tag) with the lowest F1.
        public var worstClass: (index: Int, f1: Double)? {
            perClassF1.enumerated().min { $0.element < $1.element }.map { ($0.offset, $0.element) }
        }
        /// The pictures of the first seed's evaluation, by kind.
        public var pictures: [String: String] { evaluation?.pictures ?? tagging?.pictures ?? [:] }

        public var meanSecondsPerEpoch: Double {
            let epochs = runs.reduce(0) { $0 + $1.history.epochs.count }
            return runs.reduce(0) { $0 + $1.trainingSeconds } / Double(max(1, epochs))
        }
    }

    public let name: String
    public let description: String
    public let dataset: String
    public let validationSplit: Double
    public let seeds: [UInt64]
    public let threads: Int
    public let parallelRuns: Int
    public let models: [ModelResult]
    public let totalSeconds: Double

    /// Whether the study trained taggers on multi-label data.
    public var isTagging: Bool { models.first?.tagging != nil }
    /// What the headline number is called.
    public var headlineName: String { isTagging ? "test mean average precision" : "test accuracy" }
}
