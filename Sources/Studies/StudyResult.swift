import Foundation
import NeuralNet

/// What a study measured, as plain values: written as metrics.json and rendered into the
/// report. Detailed metrics and pictures come from each model's first seed.
public struct StudyResult: Codable, Sendable {
    public struct SeedRun: Codable, Sendable {
        public let seed: UInt64
        public let testAccuracy: Double
        public let trainingSeconds: Double
        public let history: History
    }

    public struct ModelResult: Codable, Sendable {
        public let name: String
        public let architecture: String
        public let parameters: Int
        /// The layer table, as Keras's `model.summary()` prints it.
        public let summary: String
        public let epochs: Int
        public let training: TrainingOptions
        public let runs: [SeedRun]
        public let meanAccuracy: Double
        public let accuracyStandardDeviation: Double
        /// The first seed's model on the test set; picture names are relative to the model's folder.
        public let evaluation: Evaluation

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
}
