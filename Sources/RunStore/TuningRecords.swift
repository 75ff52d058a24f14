import Foundation

/// A hyperparameter search as stored: its search space and settings (JSON), and who writes
/// the final report.
public struct TuningStudyRecord: Codable, Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var space: String
    public var settings: String
    public var createdAt: Date
    /// The worker that retrains the best configuration and writes the report.
    public var finalWorker: String?
    /// `nil`, "running" or "done".
    public var finalStatus: String?
    public var finalMetrics: String?

    public init(
        id: Int64, name: String, space: String, settings: String, createdAt: Date, finalWorker: String?,
        finalStatus: String?,
        finalMetrics: String?
    ) {
        self.id = id
        self.name = name
        self.space = space
        self.settings = settings
        self.createdAt = createdAt
        self.finalWorker = finalWorker
        self.finalStatus = finalStatus
        self.finalMetrics = finalMetrics
    }
}

/// Where a trial stands: running, complete, pruned, failed or interrupted.
public enum TrialStatus: String, Codable, Sendable, CaseIterable {
    /// Being trained by a live worker.
    case running
    case complete, pruned, failed
    /// Its worker died; the same parameters are given to the next trial that is claimed.
    case interrupted
}

/// One trial of a study: its parameters (JSON), state and objective value.
public struct TrialRecord: Codable, Equatable, Sendable {
    public var id: Int64
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

    public init(
        id: Int64, studyId: Int64, number: Int, status: TrialStatus, parameters: String, value: Double?, worker: String,
        startedAt: Date, endedAt: Date?, heartbeatAt: Date, requeuedFrom: Int64?, epochs: Int, seconds: Double?
    ) {
        self.id = id
        self.studyId = studyId
        self.number = number
        self.status = status
        self.parameters = parameters
        self.value = value
        self.worker = worker
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.heartbeatAt = heartbeatAt
        self.requeuedFrom = requeuedFrom
        self.epochs = epochs
        self.seconds = seconds
    }
}

/// A trial with its reported values by step.
public struct TrialSnapshot: Equatable, Sendable {
    public let trial: TrialRecord
    public let steps: [Int: Double]

    public init(trial: TrialRecord, steps: [Int: Double]) {
        self.trial = trial
        self.steps = steps
    }
}

/// What the next claim of a study makes, the same in every backend: nothing once `budget`
/// trials count (interrupted ones do not); else the oldest interrupted trial that nobody has
/// taken over yet, run again with its parameters; else what `propose` offers (nil: nothing left).
/// The number is one past the highest.
public struct NextTrial: Equatable, Sendable {
    public let number: Int
    public let parameters: String
    public let requeuedFrom: Int64?

    public static func choose(
        from all: [TrialSnapshot], budget: Int, propose: ([TrialSnapshot]) throws -> String?
    ) throws -> NextTrial? {
        guard all.filter({ $0.trial.status != .interrupted }).count < budget else { return nil }
        let taken = Set(all.compactMap(\.trial.requeuedFrom))
        let orphan = all.first { $0.trial.status == .interrupted && !taken.contains($0.trial.id) }
        let number = (all.map(\.trial.number).max() ?? -1) + 1
        if let orphan {
            return NextTrial(number: number, parameters: orphan.trial.parameters, requeuedFrom: orphan.trial.id)
        }
        guard let proposed = try propose(all) else { return nil }
        return NextTrial(number: number, parameters: proposed, requeuedFrom: nil)
    }
}
