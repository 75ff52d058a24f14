import Foundation
import GRDB

/// One training run as stored. `configuration` and `finalMetrics` are JSON.
public struct Run: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var kind: String
    public var name: String
    public var study: String?
    public var seed: Int64?
    public var startedAt: Date
    public var endedAt: Date?
    public var status: String
    public var codeVersion: String
    public var threads: Int
    public var configuration: String
    public var finalMetrics: String?

    public static let databaseTableName = "run"

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The final metrics decoded, or empty.
    public var metrics: [String: Double] {
        guard let finalMetrics else { return [:] }
        return (try? JSONDecoder().decode([String: Double].self, from: Data(finalMetrics.utf8))) ?? [:]
    }
}

/// One epoch of a run.
public struct EpochRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    public var runId: Int64
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Double
    public var seconds: Double

    public static let databaseTableName = "epoch"

    public init(epoch: Int, loss: Double, accuracy: Double, validationLoss: Double?, validationAccuracy: Double?, learningRate: Double, seconds: Double) {
        runId = 0
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// A file a run wrote (model, report, picture).
public struct ArtifactRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    public var runId: Int64
    public var kind: String
    public var path: String
    public static let databaseTableName = "artifact"
}

public struct RunDetails: Codable, Sendable {
    public let run: Run
    public let epochs: [EpochRow]
    public let artifacts: [ArtifactRow]
}
