import Foundation
internal import GRDB
import RunStore

extension SQLiteRunStore {
    /// The study named `name`, created with `space` and `settings` if it does not exist.
    /// An existing study with a different space is an error: its trials would not be comparable.
    public func openTuningStudy(name: String, space: String, settings: String) throws(RunStoreError)
        -> TuningStudyRecord
    {
        try immediate { db in
            if let existing = try TuningStudyRow.filter(Column("name") == name).fetchOne(db) {
                guard existing.space == space else {
                    throw RunStoreError(
                        location: path,
                        reason: "a tuning study named '\(name)' already exists with a different search space; "
                            + "give this search another name (--study NAME) or use another store")
                }
                return existing.record
            }
            var row = TuningStudyRow(
                id: nil, name: name, space: space, settings: settings, createdAt: Date(),
                finalWorker: nil, finalStatus: nil, finalMetrics: nil)
            try row.insert(db)
            return row.record
        }
    }

    public func tuningStudy(named name: String) throws(RunStoreError) -> TuningStudyRecord? {
        try read { db in try TuningStudyRow.filter(Column("name") == name).fetchOne(db)?.record }
    }

    /// Claims the next trial in one transaction, so that workers in any number of processes
    /// never run a trial twice or lose one. Running trials of dead workers (`isAlive` false)
    /// become interrupted first, and the next claim takes over the oldest interrupted trial's
    /// parameters; otherwise `propose` is asked for new ones (nil: the sampler has nothing left).
    /// Returns nil when `budget` trials (not counting interrupted ones) exist, or when the
    /// study's report has been written (a study stopped by a time limit is finished too).
    public func claimTrial(
        study: Int64, worker: String, budget: Int, isAlive: (TrialRecord) -> Bool,
        propose: ([TrialSnapshot]) throws -> String?
    ) throws -> TrialRecord? {
        try immediatePassingErrors { db in
            guard try TuningStudyRow.fetchOne(db, key: study)?.finalStatus != "done" else { return nil }
            let now = Date()
            for var trial in try TrialRow.filter(
                Column("studyId") == study && Column("status") == TrialStatus.running.rawValue
            ).fetchAll(db)
            where !isAlive(trial.record) {
                trial.status = .interrupted
                trial.endedAt = now
                try trial.update(db)
            }
            let all = try snapshots(db, study: study)
            guard let next = try NextTrial.choose(from: all, budget: budget, propose: propose) else { return nil }
            var trial = TrialRow(
                id: nil, studyId: study, number: next.number, status: .running, parameters: next.parameters,
                value: nil, worker: worker, startedAt: now, endedAt: nil, heartbeatAt: now,
                requeuedFrom: next.requeuedFrom, epochs: 0, seconds: nil)
            try trial.insert(db)
            return trial.record
        }
    }

    /// Records the value a trial reached after `step` epochs, and that its worker is alive;
    /// refused once the trial has ended.
    public func reportStep(trial: Int64, step: Int, value: Double) throws(RunStoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE trial SET heartbeatAt = ?, epochs = ? WHERE id = ? AND status = 'running'",
                arguments: [Date(), step, trial])
            guard db.changesCount == 1 else { throw try ended(db, trial: trial) }
            try TrialStepRow(trialId: trial, step: step, value: value).save(db)
        }
    }

    public func heartbeat(trial: Int64) throws(RunStoreError) -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE trial SET heartbeatAt = ? WHERE id = ? AND status = 'running'", arguments: [Date(), trial])
            return db.changesCount == 1
        }
    }

    public func finishTrial(_ trial: Int64, status: TrialStatus, value: Double?, seconds: Double) throws(RunStoreError)
    {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE trial SET status = ?, value = ?, seconds = ?, endedAt = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [status.rawValue, value, seconds, Date(), trial])
            guard db.changesCount == 1 else {
                let current = try String.fetchOne(db, sql: "SELECT status FROM trial WHERE id = ?", arguments: [trial])
                // A retried call that had gone through is no error.
                guard current == status.rawValue else {
                    throw RunStoreError.ended(location: path, trial: trial, status: current)
                }
                return
            }
        }
    }

    private func ended(_ db: Database, trial: Int64) throws -> RunStoreError {
        .ended(
            location: path, trial: trial,
            status: try String.fetchOne(db, sql: "SELECT status FROM trial WHERE id = ?", arguments: [trial]))
    }

    /// Every trial of a study, by number, with its reported values.
    public func trials(study: Int64) throws(RunStoreError) -> [TrialSnapshot] {
        try read { db in try snapshots(db, study: study) }
    }

    /// Makes `worker` the one that writes the study's final report, if every trial has ended
    /// and no live worker holds that job. Running trials of dead workers are marked interrupted
    /// by the next claim, not here, so a study with one waits for a resume.
    public func claimFinal(study: Int64, worker: String, isAlive: (String) -> Bool) throws(RunStoreError) -> Bool {
        try immediate { db in
            guard var row = try TuningStudyRow.fetchOne(db, key: study), row.finalStatus != "done" else { return false }
            let running = try TrialRow.filter(
                Column("studyId") == study && Column("status") == TrialStatus.running.rawValue
            ).fetchCount(db)
            guard running == 0 else { return false }
            if let holder = row.finalWorker, holder != worker, isAlive(holder) { return false }
            row.finalWorker = worker
            row.finalStatus = "running"
            try row.update(db)
            return true
        }
    }

    public func finishFinal(study: Int64, metrics: String) throws(RunStoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE tuningStudy SET finalStatus = 'done', finalMetrics = ? WHERE id = ?",
                arguments: [metrics, study])
        }
    }

    public func tuningStudies() throws(RunStoreError) -> [TuningStudyRecord] {
        try read { db in try TuningStudyRow.order(Column("id")).fetchAll(db).map(\.record) }
    }

    public func importTuningStudy(_ study: TuningStudyRecord, trials: [TrialSnapshot]) throws(RunStoreError) -> Int64 {
        try immediate { db in
            guard try TuningStudyRow.filter(Column("name") == study.name).fetchCount(db) == 0 else {
                throw RunStoreError(location: path, reason: "a tuning study named '\(study.name)' is already here")
            }
            var row = TuningStudyRow(
                id: nil, name: study.name, space: study.space, settings: study.settings, createdAt: study.createdAt,
                finalWorker: study.finalWorker, finalStatus: study.finalStatus, finalMetrics: study.finalMetrics)
            try row.insert(db)
            let id = row.id ?? 0
            var ids = [Int64: Int64]()
            for snapshot in trials.sorted(by: { $0.trial.id < $1.trial.id }) {
                let t = snapshot.trial
                var trial = TrialRow(
                    id: nil, studyId: id, number: t.number, status: t.status, parameters: t.parameters,
                    value: t.value, worker: t.worker, startedAt: t.startedAt, endedAt: t.endedAt,
                    heartbeatAt: t.heartbeatAt, requeuedFrom: t.requeuedFrom.flatMap { ids[$0] }, epochs: t.epochs,
                    seconds: t.seconds)
                try trial.insert(db)
                ids[t.id] = trial.id
                for (step, value) in snapshot.steps.sorted(by: { $0.key < $1.key }) {
                    try TrialStepRow(trialId: trial.id ?? 0, step: step, value: value).insert(db)
                }
            }
            return id
        }
    }

    private func snapshots(_ db: Database, study: Int64) throws -> [TrialSnapshot] {
        let trials = try TrialRow.filter(Column("studyId") == study).order(Column("number")).fetchAll(db)
        let steps = try TrialStepRow.fetchAll(
            db,
            sql: "SELECT trialStep.* FROM trialStep JOIN trial ON trial.id = trialStep.trialId WHERE trial.studyId = ?",
            arguments: [study])
        var byTrial = [Int64: [Int: Double]]()
        for step in steps { byTrial[step.trialId, default: [:]][step.step] = step.value }
        return trials.map { TrialSnapshot(trial: $0.record, steps: byTrial[$0.id ?? -1] ?? [:]) }
    }

    /// A write transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE), so that a
    /// read-then-insert cannot interleave with another process's.
    private func immediate<T>(_ body: (Database) throws -> T) throws(RunStoreError) -> T {
        do { return try immediatePassingErrors(body) } catch let error as RunStoreError { throw error } catch {
            throw RunStoreError(location: path, reason: "\(error)")
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
                guard let result else { throw RunStoreError(location: path, reason: "a transaction returned nothing") }
                return result
            }
        } catch {
            if let failure { throw failure }
            if error is DatabaseError { throw RunStoreError(location: path, reason: "\(error)") }
            throw error
        }
    }
}
