import Foundation

/// One training run as stored. `configuration` is the run's settings as JSON.
public struct StoredRun: Codable, Equatable, Sendable {
    public var id: Int64
    /// "train", "study" or "tune".
    public var kind: String
    public var name: String
    public var study: String?
    public var seed: UInt64?
    public var startedAt: Date
    public var endedAt: Date?
    /// "running", "finished", "failed: <reason>", or "interrupted" (its process died).
    public var status: String
    public var codeVersion: String
    public var threads: Int
    public var configuration: String
    /// Metrics by name ("test_accuracy", "val_accuracy", ...); empty while running.
    public var finalMetrics: [String: Double]

    public init(
        id: Int64, kind: String, name: String, study: String?, seed: UInt64?, startedAt: Date, endedAt: Date?,
        status: String,
        codeVersion: String, threads: Int, configuration: String, finalMetrics: [String: Double]
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.study = study
        self.seed = seed
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.codeVersion = codeVersion
        self.threads = threads
        self.configuration = configuration
        self.finalMetrics = finalMetrics
    }
}

/// One epoch of a run: its metrics by name ("loss", "accuracy", "val_loss", ...).
public struct StoredEpoch: Codable, Equatable, Sendable {
    public var epoch: Int
    public var metrics: [String: Double]
    public var learningRate: Double
    public var seconds: Double

    public init(epoch: Int, metrics: [String: Double], learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.metrics = metrics
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// A file a run wrote (model, history, report).
public struct StoredArtifact: Codable, Equatable, Sendable {
    public var kind: String
    public var path: String

    public init(kind: String, path: String) {
        self.kind = kind
        self.path = path
    }
}

/// A run with its epochs and files.
public struct RunDetails: Codable, Equatable, Sendable {
    public let run: StoredRun
    public let epochs: [StoredEpoch]
    public let artifacts: [StoredArtifact]

    public init(run: StoredRun, epochs: [StoredEpoch], artifacts: [StoredArtifact]) {
        self.run = run
        self.epochs = epochs
        self.artifacts = artifacts
    }
}

/// The version of the code that records runs.
public enum CodeVersion {
    public static let current = "0.1.0"
}
