import Foundation
internal import GRDB
import RunStore

// The tables as GRDB records. They stay inside this module: the rest of the project sees the
// plain records of RunStore.

struct RunRow: Codable, FetchableRecord, MutablePersistableRecord {
    var id: Int64?
    var kind: String
    var name: String
    var study: String?
    var seed: Int64?
    var startedAt: Date
    var endedAt: Date?
    var status: String
    var codeVersion: String
    var threads: Int
    var configuration: String
    var finalMetrics: String?
    /// `host:pid` of the process that recorded the run (nil in stores of before v4).
    var worker: String?

    static let databaseTableName = "run"

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var record: StoredRun {
        let metrics =
            finalMetrics.flatMap { try? JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) } ?? [:]
        return StoredRun(
            id: id ?? 0, kind: kind, name: name, study: study, seed: seed.map { UInt64(bitPattern: $0) },
            startedAt: startedAt,
            endedAt: endedAt, status: status, codeVersion: codeVersion, threads: threads, configuration: configuration,
            finalMetrics: metrics)
    }
}

/// One epoch's time and learning rate; its metrics are rows of `EpochMetricRow`.
struct EpochRow: Codable, FetchableRecord, PersistableRecord {
    var runId: Int64
    var epoch: Int
    var learningRate: Double
    var seconds: Double
    static let databaseTableName = "epoch"
}

struct EpochMetricRow: Codable, FetchableRecord, PersistableRecord {
    var runId: Int64
    var epoch: Int
    var name: String
    var value: Double
    static let databaseTableName = "epochMetric"
}

struct ArtifactRow: Codable, FetchableRecord, PersistableRecord {
    var runId: Int64
    var kind: String
    var path: String
    static let databaseTableName = "artifact"
}

struct TuningStudyRow: Codable, FetchableRecord, MutablePersistableRecord {
    var id: Int64?
    var name: String
    var space: String
    var settings: String
    var createdAt: Date
    var finalWorker: String?
    var finalStatus: String?
    var finalMetrics: String?

    static let databaseTableName = "tuningStudy"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var record: TuningStudyRecord {
        TuningStudyRecord(
            id: id ?? 0, name: name, space: space, settings: settings, createdAt: createdAt, finalWorker: finalWorker,
            finalStatus: finalStatus, finalMetrics: finalMetrics)
    }
}

struct TrialRow: Codable, FetchableRecord, MutablePersistableRecord {
    var id: Int64?
    var studyId: Int64
    var number: Int
    var status: TrialStatus
    var parameters: String
    var value: Double?
    var worker: String
    var startedAt: Date
    var endedAt: Date?
    var heartbeatAt: Date
    var requeuedFrom: Int64?
    var epochs: Int
    var seconds: Double?

    static let databaseTableName = "trial"
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var record: TrialRecord {
        TrialRecord(
            id: id ?? 0, studyId: studyId, number: number, status: status, parameters: parameters, value: value,
            worker: worker,
            startedAt: startedAt, endedAt: endedAt, heartbeatAt: heartbeatAt, requeuedFrom: requeuedFrom,
            epochs: epochs,
            seconds: seconds)
    }
}

struct TrialStepRow: Codable, FetchableRecord, PersistableRecord {
    var trialId: Int64
    var step: Int
    var value: Double
    static let databaseTableName = "trialStep"
}
