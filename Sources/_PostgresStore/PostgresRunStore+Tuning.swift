import Foundation
import PostgresNIO
import RunStore

extension PostgresRunStore {
    public func openTuningStudy(name: String, space: String, settings: String) throws(RunStoreError)
        -> TuningStudyRecord
    {
        try transaction { session in
            try session.query(
                """
                INSERT INTO tuning_study (name, space, settings, created_at) VALUES
                (\(name), \(space), \(settings), clock_timestamp()) ON CONFLICT (name) DO NOTHING
                """)
            guard
                let row = try session.query(
                    "SELECT \(unescaped: Self.studyColumns) FROM tuning_study WHERE name = \(name)"
                ).first
            else { throw RunStoreError(location: location, reason: "the tuning study '\(name)' vanished") }
            let study = try Self.study(row)
            guard study.space == space else {
                throw RunStoreError(
                    location: location,
                    reason: "a tuning study named '\(name)' already exists with a different search space; "
                        + "give this search another name (--study NAME) or use another store")
            }
            return study
        }
    }

    public func tuningStudy(named name: String) throws(RunStoreError) -> TuningStudyRecord? {
        try transaction { session in
            try session.query("SELECT \(unescaped: Self.studyColumns) FROM tuning_study WHERE name = \(name)").first
                .map(Self.study)
        }
    }

    public func tuningStudies() throws(RunStoreError) -> [TuningStudyRecord] {
        try transaction { session in
            try session.query("SELECT \(unescaped: Self.studyColumns) FROM tuning_study ORDER BY id").map(Self.study)
        }
    }

    /// Claims the next trial under a row lock on the study (every claim of a study waits for the
    /// one before), so trial numbers never repeat and budgets hold across any number of workers.
    /// The heartbeats of running trials are judged by their age on the database's clock: the
    /// records `isAlive` sees carry `heartbeatAt` moved onto this machine's clock by that age.
    public func claimTrial(
        study: Int64, worker: String, budget: Int, isAlive: (TrialRecord) -> Bool,
        propose: ([TrialSnapshot]) throws -> String?
    ) throws -> TrialRecord? {
        let token = UUID().uuidString
        return try transactionPassingErrors { session -> TrialRecord? in
            guard
                let studyRow = try session.query(
                    "SELECT final_status FROM tuning_study WHERE id = \(study) FOR UPDATE"
                ).first
            else { throw RunStoreError(location: location, reason: "no tuning study with id \(study)") }
            guard try studyRow.decode(String?.self) != "done" else { return nil }
            // A retry of a claim whose first try may have committed gets the trial that try made.
            if session.attempt > 1,
                let row = try session.query(
                    "SELECT \(unescaped: Self.trialColumns) FROM trial WHERE claim_token = \(token)"
                ).first
            {
                return try Self.trial(row)
            }
            // Every trial with its steps, and the running ones' heartbeat ages, in one round trip.
            var all = [TrialSnapshot]()
            var silent = [Int64]()
            let now = Date()
            for (snapshot, age) in try snapshotsWithAges(session, study: study) {
                var snapshot = snapshot
                if let age {
                    var trial = snapshot.trial
                    trial.heartbeatAt = now.addingTimeInterval(-age)
                    if !isAlive(trial) {
                        silent.append(trial.id)
                        trial.status = .interrupted
                        trial.endedAt = now
                        snapshot = TrialSnapshot(trial: trial, steps: snapshot.steps)
                    }
                }
                all.append(snapshot)
            }
            if !silent.isEmpty {
                try session.query(
                    """
                    UPDATE trial SET status = 'interrupted', ended_at = clock_timestamp()
                    WHERE id = ANY(\(silent)) AND status = 'running'
                    """)
            }
            guard let next = try NextTrial.choose(from: all, budget: budget, propose: propose) else { return nil }
            let number = Int64(next.number)
            let parameters = next.parameters
            let requeued = next.requeuedFrom
            guard
                let row = try session.query(
                    """
                    INSERT INTO trial (study_id, number, status, parameters, worker, started_at, heartbeat_at,
                                       requeued_from, epochs, claim_token)
                    VALUES (\(study), \(number), 'running', \(parameters), \(worker), clock_timestamp(),
                            clock_timestamp(), \(requeued), 0, \(token))
                    RETURNING \(unescaped: Self.trialColumns)
                    """
                ).first
            else { throw RunStoreError(location: location, reason: "a new trial was not returned") }
            return try Self.trial(row)
        }
    }

    public func reportStep(trial: Int64, step: Int, value: Double) throws(RunStoreError) {
        let step64 = Int64(step)
        try transaction { session in
            let updated = try session.query(
                """
                UPDATE trial SET heartbeat_at = clock_timestamp(), epochs = \(step64)
                WHERE id = \(trial) AND status = 'running' RETURNING id
                """)
            guard !updated.isEmpty else { throw try ended(session, trial: trial) }
            try session.query(
                """
                INSERT INTO trial_step (trial_id, step, value) VALUES (\(trial), \(step64), \(value))
                ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value
                """)
        }
    }

    public func heartbeat(trial: Int64) throws(RunStoreError) -> Bool {
        try transaction { session in
            !(try session.query(
                """
                UPDATE trial SET heartbeat_at = clock_timestamp() WHERE id = \(trial) AND status = 'running'
                RETURNING id
                """
            ).isEmpty)
        }
    }

    public func finishTrial(_ trial: Int64, status: TrialStatus, value: Double?, seconds: Double) throws(RunStoreError)
    {
        try transaction { session in
            let updated = try session.query(
                """
                UPDATE trial SET status = \(status.rawValue), value = \(value), seconds = \(seconds),
                                 ended_at = clock_timestamp()
                WHERE id = \(trial) AND status = 'running' RETURNING id
                """)
            guard updated.isEmpty else { return }
            let current = try currentStatus(session, trial: trial)
            // A retried call that had gone through is no error.
            guard current == status.rawValue else {
                throw RunStoreError.ended(location: location, trial: trial, status: current)
            }
        }
    }

    public func trials(study: Int64) throws(RunStoreError) -> [TrialSnapshot] {
        try transaction { session in try snapshots(session, study: study) }
    }

    public func claimFinal(study: Int64, worker: String, isAlive: (String) -> Bool) throws(RunStoreError) -> Bool {
        try transaction { session in
            guard
                let row = try session.query(
                    "SELECT final_worker, final_status FROM tuning_study WHERE id = \(study) FOR UPDATE"
                ).first
            else { return false }
            let (holder, status) = try row.decode((String?, String?).self)
            guard status != "done" else { return false }
            let running =
                try session.query(
                    "SELECT count(*) FROM trial WHERE study_id = \(study) AND status = 'running'"
                ).first.map { try $0.decode(Int64.self) } ?? 0
            guard running == 0 else { return false }
            if let holder, holder != worker, isAlive(holder) { return false }
            try session.query(
                "UPDATE tuning_study SET final_worker = \(worker), final_status = 'running' WHERE id = \(study)")
            return true
        }
    }

    public func finishFinal(study: Int64, metrics: String) throws(RunStoreError) {
        try transaction { session in
            try session.query(
                "UPDATE tuning_study SET final_status = 'done', final_metrics = \(metrics) WHERE id = \(study)")
        }
    }

    public func importTuningStudy(_ study: TuningStudyRecord, trials: [TrialSnapshot]) throws(RunStoreError) -> Int64 {
        try transaction { session in
            guard
                try session.query("SELECT id FROM tuning_study WHERE name = \(study.name)").isEmpty
            else {
                throw RunStoreError(location: location, reason: "a tuning study named '\(study.name)' is already here")
            }
            guard
                let id = try session.query(
                    """
                    INSERT INTO tuning_study (name, space, settings, created_at, final_worker, final_status,
                                              final_metrics)
                    VALUES (\(study.name), \(study.space), \(study.settings), \(study.createdAt), \(study.finalWorker),
                            \(study.finalStatus), \(study.finalMetrics))
                    RETURNING id
                    """
                ).first.map({ try $0.decode(Int64.self) })
            else { throw RunStoreError(location: location, reason: "a new study was not returned") }
            var ids = [Int64: Int64]()
            for snapshot in trials.sorted(by: { $0.trial.id < $1.trial.id }) {
                let t = snapshot.trial
                let requeued = t.requeuedFrom.flatMap { ids[$0] }
                let number = Int64(t.number)
                let epochs = Int64(t.epochs)
                guard
                    let trialID = try session.query(
                        """
                        INSERT INTO trial (study_id, number, status, parameters, value, worker, started_at, ended_at,
                                           heartbeat_at, requeued_from, epochs, seconds)
                        VALUES (\(id), \(number), \(t.status.rawValue), \(t.parameters), \(t.value), \(t.worker),
                                \(t.startedAt), \(t.endedAt), \(t.heartbeatAt), \(requeued), \(epochs), \(t.seconds))
                        RETURNING id
                        """
                    ).first.map({ try $0.decode(Int64.self) })
                else { throw RunStoreError(location: location, reason: "a new trial was not returned") }
                ids[t.id] = trialID
                let steps = snapshot.steps.sorted { $0.key < $1.key }
                if !steps.isEmpty {
                    let numbers = steps.map { Int64($0.key) }
                    let values = steps.map(\.value)
                    try session.query(
                        """
                        INSERT INTO trial_step (trial_id, step, value)
                        SELECT \(trialID), * FROM unnest(\(numbers)::bigint[], \(values)::float8[])
                        """)
                }
            }
            return id
        }
    }

    private func currentStatus(_ session: Session, trial: Int64) throws -> String? {
        try session.query("SELECT status FROM trial WHERE id = \(trial)").first.map { try $0.decode(String.self) }
    }

    private func ended(_ session: Session, trial: Int64) throws -> RunStoreError {
        .ended(location: location, trial: trial, status: try currentStatus(session, trial: trial))
    }

    private func snapshots(_ session: Session, study: Int64) throws -> [TrialSnapshot] {
        try snapshotsWithAges(session, study: study).map(\.0)
    }

    /// Every trial of a study by number, with its steps, and for running trials the age of their
    /// last heartbeat in seconds on the database's clock.
    private func snapshotsWithAges(_ session: Session, study: Int64) throws -> [(TrialSnapshot, Double?)] {
        try session.query(
            """
            SELECT \(unescaped: Self.trialColumns),
                   CASE WHEN status = 'running'
                        THEN EXTRACT(EPOCH FROM clock_timestamp() - heartbeat_at)::float8 END,
                   ARRAY(SELECT step FROM trial_step WHERE trial_id = trial.id ORDER BY step),
                   ARRAY(SELECT value FROM trial_step WHERE trial_id = trial.id ORDER BY step)
            FROM trial WHERE study_id = \(study) ORDER BY number
            """
        ).map { row in
            let cells = row.makeRandomAccess()
            let steps = try cells[14].decode([Int64].self)
            let values = try cells[15].decode([Double].self)
            var byStep = [Int: Double]()
            for (step, value) in zip(steps, values) { byStep[Int(step)] = value }
            return (TrialSnapshot(trial: try Self.trial(row), steps: byStep), try cells[13].decode(Double?.self))
        }
    }

    static let studyColumns = "id, name, space, settings, created_at, final_worker, final_status, final_metrics"

    static func study(_ row: PostgresRow) throws -> TuningStudyRecord {
        let (id, name, space, settings, createdAt, finalWorker, finalStatus, finalMetrics) = try row.decode(
            (Int64, String, String, String, Date, String?, String?, String?).self)
        return TuningStudyRecord(
            id: id, name: name, space: space, settings: settings, createdAt: createdAt, finalWorker: finalWorker,
            finalStatus: finalStatus, finalMetrics: finalMetrics)
    }

    static let trialColumns =
        "id, study_id, number, status, parameters, value, worker, started_at, ended_at, heartbeat_at, requeued_from, "
        + "epochs, seconds"

    static func trial(_ row: PostgresRow) throws -> TrialRecord {
        let cells = row.makeRandomAccess()
        let status = try cells[3].decode(String.self)
        guard let state = TrialStatus(rawValue: status) else {
            throw RunStoreError(location: "trial", reason: "unknown trial status '\(status)'")
        }
        return TrialRecord(
            id: try cells[0].decode(Int64.self), studyId: try cells[1].decode(Int64.self),
            number: Int(try cells[2].decode(Int64.self)), status: state,
            parameters: try cells[4].decode(String.self), value: try cells[5].decode(Double?.self),
            worker: try cells[6].decode(String.self), startedAt: try cells[7].decode(Date.self),
            endedAt: try cells[8].decode(Date?.self), heartbeatAt: try cells[9].decode(Date.self),
            requeuedFrom: try cells[10].decode(Int64?.self), epochs: Int(try cells[11].decode(Int64.self)),
            seconds: try cells[12].decode(Double?.self))
    }
}
