import Foundation
import GRDB

/// A hyperparameter search as stored: its search space and settings (JSON), and who wrote
/// the final report.
public struct TuningStudyRow: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var name: String
    public var space: String
    public var settings: String
    public var createdAt: Date
    /// The worker that retrains the best configuration and writes the report.
    public var finalWorker: String?
    /// `nil`, "running" or "done".
    public var finalStatus: String?
    public var finalMetrics: String?

    public static let databaseTableName = "tuningStudy"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public enum TrialStatus: String, Codable, Sendable, CaseIterable {
    /// Being trained by a live worker.
    case running
    case complete, pruned, failed
    /// Its worker died; the same parameters are given to the next trial that is claimed.
    case interrupted
}

/// One trial of a study: its parameters (JSON), state and objective value.
public struct TrialRow: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var studyId: Int64
    public var number: Int
    public var status: TrialStatus
    public var parameters: String
    public var value: Double?
    public var worker: String
    public var startedAt: Date
    public var endedAt: Date?
    public var heartbeatAt: Date
    /// The interrupted trial whose parameters this one took over.
    public var requeuedFrom: Int64?
    public var epochs: Int
    public var seconds: Double?

    public static let databaseTableName = "trial"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A value a trial reported after one epoch (the pruners compare these across trials).
public struct TrialStepRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    public var trialId: Int64
    public var step: Int
    public var value: Double
    public static let databaseTableName = "trialStep"
}

/// A trial with its reported values by step.
public struct TrialSnapshot: Sendable {
    public let trial: TrialRow
    public let steps: [Int: Double]
}

extension RunDatabase {
    static func registerTuningTables(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-tuning") { db in
            try db.create(table: "tuningStudy") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("space", .text).notNull()
                t.column("settings", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("finalWorker", .text)
                t.column("finalStatus", .text)
                t.column("finalMetrics", .text)
            }
            try db.create(table: "trial") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("study", inTable: "tuningStudy", onDelete: .cascade).notNull()
                t.column("number", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("parameters", .text).notNull()
                t.column("value", .double)
                t.column("worker", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("heartbeatAt", .datetime).notNull()
                t.column("requeuedFrom", .integer)
                t.column("epochs", .integer).notNull()
                t.column("seconds", .double)
                t.uniqueKey(["studyId", "number"])
            }
            try db.create(table: "trialStep") { t in
                t.belongsTo("trial", onDelete: .cascade).notNull()
                t.column("step", .integer).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["trialId", "step"])
            }
        }
    }

    /// The study named `name`, created with `space` and `settings` if it does not exist.
    /// An existing study with a different space is an error: its trials would not be comparable.
    public func openTuningStudy(name: String, space: String, settings: String) throws(RunDatabaseError) -> TuningStudyRow {
        try immediate { db in
            if let existing = try TuningStudyRow.filter(Column("name") == name).fetchOne(db) {
                guard existing.space == space else {
                    throw RunDatabaseError(path: path, reason: "a tuning study named '\(name)' already exists with a different search space; "
                        + "give this search another name (--study NAME) or use another store")
                }
                return existing
            }
            var row = TuningStudyRow(id: nil, name: name, space: space, settings: settings, createdAt: Date(),
                                     finalWorker: nil, finalStatus: nil, finalMetrics: nil)
            try row.insert(db)
            return row
        }
    }

    public func tuningStudy(named name: String) throws(RunDatabaseError) -> TuningStudyRow? {
        try read { db in try TuningStudyRow.filter(Column("name") == name).fetchOne(db) }
    }

    /// Claims the next trial in one transaction, so that workers in any number of processes
    /// never run a trial twice or lose one. Running trials of dead workers (`isAlive` false)
    /// become interrupted first, and the next claim takes over the oldest interrupted trial's
    /// parameters; otherwise `propose` is asked for new ones (nil: the sampler has nothing left).
    /// Returns nil when `budget` trials (not counting interrupted ones) exist, or when the
    /// study's report has been written (a study stopped by a time limit is finished too).
    public func claimTrial(
        study: Int64, worker: String, budget: Int, isAlive: (TrialRow) -> Bool, propose: ([TrialSnapshot]) throws -> String?
    ) throws -> TrialRow? {
        try immediatePassingErrors { db in
            guard try TuningStudyRow.fetchOne(db, key: study)?.finalStatus != "done" else { return nil }
            let now = Date()
            for var trial in try TrialRow.filter(Column("studyId") == study && Column("status") == TrialStatus.running.rawValue).fetchAll(db)
            where !isAlive(trial) {
                trial.status = .interrupted
                trial.endedAt = now
                try trial.update(db)
            }
            let all = try snapshots(db, study: study)
            let counted = all.filter { $0.trial.status != .interrupted }
            guard counted.count < budget else { return nil }
            let taken = Set(all.compactMap(\.trial.requeuedFrom))
            let orphan = all.first { $0.trial.status == .interrupted && !taken.contains($0.trial.id ?? -1) }
            let parameters: String
            if let orphan {
                parameters = orphan.trial.parameters
            } else {
                guard let proposed = try propose(all) else { return nil }
                parameters = proposed
            }
            var trial = TrialRow(id: nil, studyId: study, number: (all.map(\.trial.number).max() ?? -1) + 1, status: .running,
                                 parameters: parameters, value: nil, worker: worker, startedAt: now, endedAt: nil, heartbeatAt: now,
                                 requeuedFrom: orphan?.trial.id, epochs: 0, seconds: nil)
            try trial.insert(db)
            return trial
        }
    }

    /// Records the value a trial reached after `step` epochs, and that its worker is alive.
    public func reportStep(trial: Int64, step: Int, value: Double) throws(RunDatabaseError) {
        try write { db in
            try TrialStepRow(trialId: trial, step: step, value: value).save(db)
            try db.execute(sql: "UPDATE trial SET heartbeatAt = ?, epochs = ? WHERE id = ?", arguments: [Date(), step, trial])
        }
    }

    public func finishTrial(_ trial: Int64, status: TrialStatus, value: Double?, seconds: Double) throws(RunDatabaseError) {
        try write { db in
            try db.execute(sql: "UPDATE trial SET status = ?, value = ?, seconds = ?, endedAt = ? WHERE id = ?",
                           arguments: [status.rawValue, value, seconds, Date(), trial])
        }
    }

    /// Every trial of a study, by number, with its reported values.
    public func trials(study: Int64) throws(RunDatabaseError) -> [TrialSnapshot] {
        try read { db in try snapshots(db, study: study) }
    }

    /// Makes `worker` the one that writes the study's final report, if every trial has ended
    /// and no live worker holds that job. Running trials of dead workers are marked interrupted
    /// by the next claim, not here, so a study with one waits for a resume.
    public func claimFinal(study: Int64, worker: String, isAlive: (String) -> Bool) throws(RunDatabaseError) -> Bool {
        try immediate { db in
            guard var row = try TuningStudyRow.fetchOne(db, key: study), row.finalStatus != "done" else { return false }
            let running = try TrialRow.filter(Column("studyId") == study && Column("status") == TrialStatus.running.rawValue).fetchCount(db)
            guard running == 0 else { return false }
            if let holder = row.finalWorker, holder != worker, isAlive(holder) { return false }
            row.finalWorker = worker
            row.finalStatus = "running"
            try row.update(db)
            return true
        }
    }

    public func finishFinal(study: Int64, metrics: String) throws(RunDatabaseError) {
        try write { db in
            try db.execute(sql: "UPDATE tuningStudy SET finalStatus = 'done', finalMetrics = ? WHERE id = ?", arguments: [metrics, study])
        }
    }

    private func snapshots(_ db: Database, study: Int64) throws -> [TrialSnapshot] {
        let trials = try TrialRow.filter(Column("studyId") == study).order(Column("number")).fetchAll(db)
        let steps = try TrialStepRow.fetchAll(db, sql: "SELECT trialStep.* FROM trialStep JOIN trial ON trial.id = trialStep.trialId WHERE trial.studyId = ?",
                                              arguments: [study])
        var byTrial = [Int64: [Int: Double]]()
        for step in steps { byTrial[step.trialId, default: [:]][step.step] = step.value }
        return trials.map { TrialSnapshot(trial: $0, steps: byTrial[$0.id ?? -1] ?? [:]) }
    }

    /// A write transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE), so that a
    /// read-then-insert cannot interleave with another process's.
    private func immediate<T>(_ body: (Database) throws -> T) throws(RunDatabaseError) -> T {
        do { return try immediatePassingErrors(body) } catch let error as RunDatabaseError { throw error } catch {
            throw RunDatabaseError(path: path, reason: "\(error)")
        }
    }

    /// As `immediate`, but errors that are not the database's pass through unchanged.
    private func immediatePassingErrors<T>(_ body: (Database) throws -> T) throws -> T {
        var failure: Error?
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    do { result = try body(db) } catch {
                        failure = error
                        return .rollback
                    }
                    return .commit
                }
                if let failure { throw failure }
                guard let result else { throw RunDatabaseError(path: path, reason: "a transaction returned nothing") }
                return result
            }
        } catch {
            if let failure { throw failure }
            if error is DatabaseError { throw RunDatabaseError(path: path, reason: "\(error)") }
            throw error
        }
    }
}
