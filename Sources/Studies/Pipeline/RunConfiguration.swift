import Foundation
import NeuralNet
import RunStore

extension History {
    /// The epochs as the run store keeps them.
    public var storedEpochs: [StoredEpoch] {
        epochs.map {
            StoredEpoch(epoch: $0.epoch, metrics: $0.metrics, learningRate: $0.learningRate, seconds: $0.seconds)
        }
    }
}

/// The configuration of a run as the JSON the store keeps.
public struct RunConfiguration: Codable, Sendable {
    public let architecture: ModelSpecification
    public let training: TrainingOptions
    public let data: String
    public let validationSplit: Double
    /// The validation split's own seed, when it is not the run's.
    public let splitSeed: UInt64?

    public init(
        architecture: ModelSpecification, training: TrainingOptions, data: String, validationSplit: Double,
        splitSeed: UInt64? = nil
    ) {
        self.architecture = architecture
        self.training = training
        self.data = data
        self.validationSplit = validationSplit
        self.splitSeed = splitSeed
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
