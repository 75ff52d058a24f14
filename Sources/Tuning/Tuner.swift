import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import RunStore
import Studies

/// What one trial did, for the progress lines.
public struct TrialOutcome: Sendable {
    public let number: Int
    public let status: TrialStatus
    public let value: Double?
    public let epochs: Int
    public let seconds: Double
    public let parameters: Assignment
    public let failure: String?
    /// What `value` measures (`val_accuracy`, or `val_mean_average_precision` for tags).
    public var objective = EpochRecord.Name.validationAccuracy
}

/// Runs a search: workers claim trials from the run store one at a time, train each on the
/// training set less the validation split, report validation accuracy after every epoch (the
/// pruner compares it with the other trials') and record the result. Any number of workers,
/// in this process or others, can work on one study; a killed process's trial is run again
/// by the next worker. When every trial has ended, one worker retrains the best configuration
/// on the whole training set, evaluates it once on the test set and writes the report.
public enum Tuner {
    /// Whether the worker that holds a trial is still running: a process on this host is
    /// asked directly; on another host, a heartbeat within the grace period counts.
    static func isAlive(worker: String, heartbeat: Date = Date(), grace: Double = Liveness().grace) -> Bool {
        Worker.isRunningOnThisHost(worker) ?? (Date().timeIntervalSince(heartbeat) < grace)
    }

    public static func run(
        space: SearchSpace, settings: TuningSettings, dataset: Dataset, store: any RunStorage, workers: Int = 1,
        threads: Int = 1,
        folder: URL, finalize: Bool = true, liveness: Liveness = Liveness(),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> TuningResult? {
        try settings.pruner.validate()
        let start = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let study = try store.openTuningStudy(
            name: settings.study, space: space.canonicalJSON,
            settings: String(decoding: try encoder.encode(settings), as: UTF8.self))
        let studyID = study.id
        guard dataset.train.pixelsPerImage > 0 else {
            throw TuningError.failed("the dataset has no pixels")
        }
        let parts = try dataset.train.stratifiedSplit(validationFraction: space.validationSplit, seed: settings.seed)
        let sampler = settings.sampler.makeSampler(
            space: space, seed: settings.seed, startupTrials: settings.startupTrials)
        let deadline = settings.timeLimit.map { start.addingTimeInterval($0) } ?? .distantFuture
        let worker = Worker.current
        let failure = Slots<Error>(count: 1)
        let claims = Durations()
        defer { if let line = claims.summary(store: store.location) { progress(line) } }

        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
            do {
                // Each worker claims once even past the limit (a machine slowed by its neighbours
                // may load the data for longer than a short limit): a study ends with a trial to report.
                var claimedOnce = false
                while !claimedOnce || Date() < deadline {
                    claimedOnce = true
                    let asked = Date()
                    let claimed = try store.claimTrial(
                        study: studyID, worker: worker, budget: settings.trials,
                        isAlive: { isAlive(worker: $0.worker, heartbeat: $0.heartbeatAt, grace: liveness.grace) },
                        propose: { snapshots in
                            let number = (snapshots.map(\.trial.number).max() ?? -1) + 1
                            return try sampler.propose(number: number, history: snapshots.map(observation)).map(
                                \.json)
                        })
                    claims.append(Date().timeIntervalSince(asked))
                    guard let trial = claimed else {
                        // Nothing to claim. Trials still running elsewhere may belong to a worker that
                        // died: wait, so that once its heartbeat is older than the grace period the
                        // next claim runs it again, rather than leave the study unfinished.
                        let running = try store.trials(study: studyID).filter { $0.trial.status == .running }
                        guard !running.isEmpty, finalize else { return }
                        Thread.sleep(forTimeInterval: min(1, liveness.interval))
                        continue
                    }
                    let outcome = try runTrial(
                        trial, study: studyID, space: space, settings: settings, dataset: dataset,
                        train: parts.train, validation: parts.validation, store: store, threads: threads,
                        liveness: liveness)
                    progress(outcome.line)
                }
            } catch {
                failure[0] = error
            }
        }
        if let error = failure[0] { throw error }
        guard finalize,
            try store.claimFinal(
                study: studyID, worker: worker, isAlive: { isAlive(worker: $0, grace: liveness.grace) })
        else {
            return nil
        }
        let snapshots = try store.trials(study: studyID)
        let result = try TuningResult.finish(
            space: space, settings: settings, trials: snapshots.map(observation), dataset: dataset,
            threads: threads * max(1, workers),
            folder: folder, store: store, progress: progress)
        try store.finishFinal(
            study: studyID, metrics: String(decoding: try encoder.encode(result.final), as: UTF8.self))
        return result
    }

    public static func observation(_ snapshot: TrialSnapshot) -> Observation {
        let state: Observation.State =
            switch snapshot.trial.status {
            case .running: .running
            case .interrupted: .interrupted
            case .complete: .complete
            case .pruned: .pruned
            case .failed: .failed
            }
        return Observation(
            number: snapshot.trial.number, parameters: Assignment.decode(snapshot.trial.parameters), state: state,
            value: snapshot.trial.value, steps: snapshot.steps, seconds: snapshot.trial.seconds)
    }

    /// What a trial's value is: validation accuracy, or for multi-label data the tags' mean
    /// average precision on the validation split.
    public static func objective(for dataset: Dataset) -> String {
        dataset.isMultiLabel ? Tagging.objective : EpochRecord.Name.validationAccuracy
    }

    static func runTrial(
        _ trial: TrialRecord, study: Int64, space: SearchSpace, settings: TuningSettings, dataset: Dataset,
        train: LabeledImages,
        validation: LabeledImages, store: any RunStorage, threads: Int, liveness: Liveness = Liveness()
    ) throws -> TrialOutcome {
        let trialID = trial.id
        let parameters = Assignment.decode(trial.parameters)
        let started = Date()
        // Beats while the trial trains, so workers elsewhere can tell it from a dead one; told
        // that the trial is no longer running (another worker took it over), training stops.
        let beat = HeartbeatThread(store: store, trial: trialID, interval: liveness.interval)
        defer { beat.stop() }
        func droppedOutcome() -> TrialOutcome {
            TrialOutcome(
                number: trial.number, status: .interrupted, value: nil, epochs: 0,
                seconds: Date().timeIntervalSince(started), parameters: parameters,
                failure: "taken over by another worker while this one was out of touch; dropped")
        }
        var status = TrialStatus.complete
        var value: Double?
        var epochs = 0
        do {
            var (architecture, options) = try Knobs.configuration(
                parameters, inputSize: dataset.train.pixelsPerImage,
                classes: dataset.classCount,
                imageShape: dataset.train.shape)
            if dataset.isMultiLabel {
                (architecture, options) = (Tagging.model(architecture), Tagging.options(options))
            }
            options.seed = settings.seed
            let model = try Sequential(specification: architecture, seed: settings.seed)
            let watcher = PruningWatcher(
                store: store, study: study, trial: trialID, number: trial.number, pruner: settings.pruner,
                objective: objective(for: dataset), takenOver: { beat.takenOver })
            let history = try Trainer.fit(
                model, on: train, validation: validation, options: options, threads: threads, observer: watcher)
            if let error = watcher.failure as? RunStoreError, error.trialEnded { return droppedOutcome() }
            if beat.takenOver { return droppedOutcome() }
            if let error = watcher.failure { throw error }
            epochs = history.epochs.count
            value = history.epochs.last?.metrics[objective(for: dataset)]
            status = watcher.pruned ? .pruned : .complete
        } catch let error as ModelError {
            status = .failed
            do {
                try store.finishTrial(trialID, status: status, value: nil, seconds: Date().timeIntervalSince(started))
            } catch {
                if error.trialEnded { return droppedOutcome() }
                throw error
            }
            return TrialOutcome(
                number: trial.number, status: status, value: nil, epochs: epochs,
                seconds: Date().timeIntervalSince(started),
                parameters: parameters, failure: "\(error)")
        }
        let seconds = Date().timeIntervalSince(started)
        do {
            try store.finishTrial(trialID, status: status, value: value, seconds: seconds)
        } catch {
            if error.trialEnded { return droppedOutcome() }
            throw error
        }
        return TrialOutcome(
            number: trial.number, status: status, value: value, epochs: epochs, seconds: seconds,
            parameters: parameters, failure: nil, objective: objective(for: dataset))
    }
}

/// How workers tell a silent one from a busy one: each beats every `interval` seconds while it
/// trains; a trial of a worker on another host whose last beat is older than `grace` (on the
/// store's clock) is taken to be dead, marked interrupted and run again by the next claim.
/// Workers on one host ask the process itself and need no grace.
public struct Liveness: Sendable, Equatable {
    public var interval: Double
    public var grace: Double

    public init(interval: Double = 10, grace: Double = 120) {
        self.interval = interval
        self.grace = grace
    }
}

/// How long this process's claims took, for one line at the end: what a worker waits on the
/// shared store (its row lock on the study, the sampler reading every trial). With
/// FASHION_CLAIM_LOG set, each claim's seconds are also appended to that file as they happen
/// (the fault test pools them over workers, killed ones included).
final class Durations: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [Double] = []
    private let log: FileHandle? = ProcessInfo.processInfo.environment["FASHION_CLAIM_LOG"].flatMap { path in
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        return FileHandle(forWritingAtPath: path)
    }

    func append(_ value: Double) {
        lock.withLock {
            seconds.append(value)
            if let log {
                // One short write of a whole line: lines from several processes do not interleave.
                log.seekToEndOfFile()
                log.write(Data(String(format: "%.6f\n", value).utf8))
            }
        }
    }

    func summary(store: String) -> String? {
        let sorted = lock.withLock { seconds.sorted() }
        guard !sorted.isEmpty else { return nil }
        func percentile(_ p: Double) -> Double {
            sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        return String(
            format: "store: %d claims, p50 %.1f ms, p99 %.1f ms, max %.1f ms (%@)", sorted.count,
            percentile(0.5) * 1000, percentile(0.99) * 1000, (sorted.last ?? 0) * 1000, store)
    }
}

/// A thread that records a trial's heartbeat until stopped.
final class HeartbeatThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var lost = false

    init(store: any RunStorage, trial: Int64, interval: Double) {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date().addingTimeInterval(interval))
                guard !stopped else { break }
                condition.unlock()
                // A store that cannot be reached now is tried again at the next beat.
                let running = try? store.heartbeat(trial: trial)
                condition.lock()
                if running == false { lost = true }
            }
            condition.unlock()
        }
        thread.name = "heartbeat"
        thread.start()
    }

    var takenOver: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lost
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}

extension TrialOutcome {
    var line: String {
        let result = value.map { String(format: "\(objective) %.4f", $0) } ?? (failure ?? "no value")
        return String(format: "trial %3d ", number) + status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            + String(format: "%@ after %d epochs, %.1f s  ", result, epochs, seconds)
            + TuningResult.describe(parameters)
    }
}
