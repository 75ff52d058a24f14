import Foundation

/// Where training runs, studies and tuning trials are recorded: a protocol with plain value
/// records, so the pipeline, the tuner and the CLI never see the database behind it.
///
/// Every backend (SQLite today in `_SQLiteStore`, PostgreSQL later) passes one conformance
/// suite (`RunStoreTests/RunStorageConformance.swift`). Each call is one transaction; several
/// processes may use one store at once.
public protocol RunStorage: Sendable {
    /// Where the store is, for messages ("runs/store.sqlite", a connection string).
    var location: String { get }

    /// Records the start of a run (status "running") and returns its id.
    func begin(kind: String, name: String, study: String?, seed: UInt64?, threads: Int, configuration: String)
        throws(RunStoreError) -> Int64
    /// Records a finished run: its epochs, final metrics and files, in one transaction. Metric
    /// values that are not finite (a diverged loss) are left out.
    func finish(
        _ id: Int64, status: String, epochs: [StoredEpoch], finalMetrics: [String: Double], artifacts: [StoredArtifact]
    ) throws(RunStoreError)
    /// Every run, newest first. A run whose recording process has died is "interrupted", not
    /// "running" (as far as the backend can tell: SQLite asks the processes of its own host).
    func runs() throws(RunStoreError) -> [StoredRun]
    /// One run with its epochs (in order) and artifacts.
    func details(of id: Int64) throws(RunStoreError) -> RunDetails

    // Tuning studies and their trials.

    /// The study named `name`, created with `space` and `settings` if it does not exist. An
    /// existing study with a different space is an error: its trials would not be comparable.
    func openTuningStudy(name: String, space: String, settings: String) throws(RunStoreError) -> TuningStudyRecord
    func tuningStudy(named name: String) throws(RunStoreError) -> TuningStudyRecord?
    /// Claims the next trial atomically, so that workers in any number of processes never run
    /// a trial twice or lose one. Running trials whose worker is dead (`isAlive` false) become
    /// interrupted first, and the next claim takes over the oldest interrupted trial's
    /// parameters; otherwise `propose` is asked for new ones (nil: the sampler has nothing
    /// left). Returns nil when `budget` trials (not counting interrupted ones) exist, or when
    /// the study's final report has been written. Errors thrown by `propose` pass through.
    func claimTrial(
        study: Int64, worker: String, budget: Int, isAlive: (TrialRecord) -> Bool,
        propose: ([TrialSnapshot]) throws -> String?
    ) throws -> TrialRecord?
    /// Records the value a trial reached after `step` epochs, and that its worker is alive.
    /// Refused (`RunStoreError.trialEnded`) once the trial has ended: a trial another worker
    /// marked interrupted keeps none of the late worker's results.
    func reportStep(trial: Int64, step: Int, value: Double) throws(RunStoreError)
    /// Records that the trial's worker is alive (on the database's clock where it has one).
    /// False when the trial is no longer running: another worker found it silent and took it over.
    func heartbeat(trial: Int64) throws(RunStoreError) -> Bool
    /// Ends a running trial. Refused (`trialEnded`) when it has already ended otherwise; the same
    /// status again (a retried call) is accepted.
    func finishTrial(_ trial: Int64, status: TrialStatus, value: Double?, seconds: Double) throws(RunStoreError)
    /// Every trial of a study, by number, with its reported values.
    func trials(study: Int64) throws(RunStoreError) -> [TrialSnapshot]
    /// Makes `worker` the one that writes the study's final report, if every trial has ended
    /// and no live worker holds that job.
    func claimFinal(study: Int64, worker: String, isAlive: (String) -> Bool) throws(RunStoreError) -> Bool
    func finishFinal(study: Int64, metrics: String) throws(RunStoreError)

    // Copying between stores (`fashion runs copy`).

    /// Adds a run recorded elsewhere, as it was (times, status, code version), under a new id.
    func importRun(_ details: RunDetails) throws(RunStoreError) -> Int64
    /// Adds a tuning study recorded elsewhere with its trials and their steps, under new ids
    /// (trial numbers and which trial took over which are kept). The name must be new here.
    func importTuningStudy(_ study: TuningStudyRecord, trials: [TrialSnapshot]) throws(RunStoreError) -> Int64
    /// Every tuning study, oldest first.
    func tuningStudies() throws(RunStoreError) -> [TuningStudyRecord]
}

extension RunStorage {
    public func begin(
        kind: String, name: String, study: String? = nil, seed: UInt64? = nil, threads: Int, configuration: String
    )
        throws(RunStoreError) -> Int64
    {
        try begin(kind: kind, name: name, study: study, seed: seed, threads: threads, configuration: configuration)
    }

    public func finish(
        _ id: Int64, epochs: [StoredEpoch], finalMetrics: [String: Double], artifacts: [StoredArtifact]
    ) throws(RunStoreError) {
        try finish(id, status: "finished", epochs: epochs, finalMetrics: finalMetrics, artifacts: artifacts)
    }
}

/// A store that cannot do what was asked: where it is and why.
public struct RunStoreError: Error, CustomStringConvertible, LocalizedError {
    public let location: String
    public let reason: String
    /// The trial had already ended (another worker took it over, or it was finished): the worker
    /// that hears this drops the trial and goes on with another.
    public let trialEnded: Bool

    public init(location: String, reason: String, trialEnded: Bool = false) {
        self.location = location
        self.reason = reason
        self.trialEnded = trialEnded
    }

    /// The refusal of a change to trial `id`, which is `status` already.
    public static func ended(location: String, trial id: Int64, status: String?) -> RunStoreError {
        RunStoreError(
            location: location,
            reason: status.map { "trial \(id) has already ended (\($0)); its late result is not recorded" }
                ?? "no trial with id \(id)",
            trialEnded: status != nil)
    }

    public var description: String { "\(location): \(reason)" }
    public var errorDescription: String? { description }
}
