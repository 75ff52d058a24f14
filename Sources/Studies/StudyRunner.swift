import FashionData
import Foundation
import Synchronization
import Metrics
import NeuralNet
import RunStore
import Reports
import _Files

/// What a study measured, as plain values: written as metrics.json and rendered into the
/// report. Detailed metrics and pictures come from each model's first seed.
public struct StudyResult: Codable, Sendable {
    public struct SeedRun: Codable, Sendable {
        public let seed: UInt64
        public let testAccuracy: Double
        public let trainingSeconds: Double
        public let history: History
    }

    public struct ModelResult: Codable, Sendable {
        public let name: String
        public let architecture: String
        public let parameters: Int
        /// The layer table, as Keras's `model.summary()` prints it.
        public let summary: String
        public let epochs: Int
        public let training: TrainingOptions
        public let runs: [SeedRun]
        public let meanAccuracy: Double
        public let accuracyStandardDeviation: Double
        /// The first seed's model on the test set; picture names are relative to the model's folder.
        public let evaluation: Evaluation

        public var meanSecondsPerEpoch: Double {
            let epochs = runs.reduce(0) { $0 + $1.history.epochs.count }
            return runs.reduce(0) { $0 + $1.trainingSeconds } / Double(max(1, epochs))
        }
    }

    public let name: String
    public let description: String
    public let dataset: String
    public let validationSplit: Double
    public let seeds: [UInt64]
    public let threads: Int
    public let parallelRuns: Int
    public let models: [ModelResult]
    public let totalSeconds: Double
}

/// Runs an experiment: every model with every seed, trained on the training set (less the
/// validation split), evaluated once on the test set; writes models, pictures, metrics and
/// the report into `folder`.
public enum StudyRunner {
    /// - Parameters:
    ///   - threads: threads per training run.
    ///   - parallelRuns: how many runs train at once (each on its own threads). Runs are
    ///     independent and seeded, so the results do not depend on this.
    public static func run(
        _ experiment: Experiment, dataset: Dataset, seeds: [UInt64], threads: Int, parallelRuns: Int = 1, folder: URL,
        store: RunDatabase? = nil, progress: @Sendable (String) -> Void = { _ in }
    ) throws -> StudyResult {
        let start = Date()
        let entries = try experiment.models.map { entry in (entry, try experiment.resolve(entry)) }
        let jobs = entries.indices.flatMap { e in seeds.prefix(entries[e].0.seedCount ?? seeds.count).map { (entry: e, seed: $0) } }
        let outcomes = Slots<Result<(StudyResult.SeedRun, Sequential), Error>>(count: jobs.count)
        let next = Atomic<Int>(0)
        let workers = max(1, min(parallelRuns, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { return }
                let job = jobs[index]
                let (entry, (architecture, options)) = entries[job.entry]
                let outcome = Result {
                    try trainOne(entry.name, architecture: architecture, options: options, seed: job.seed, isFirstSeed: job.seed == seeds.first,
                                 experiment: experiment, dataset: dataset, threads: threads, folder: folder, store: store)
                }
                if case let .success((run, _)) = outcome {
                    progress(String(format: "%@ seed %llu: test accuracy %.4f, %d epochs in %.1f s", entry.name, run.seed, run.testAccuracy,
                                    run.history.epochs.count, run.trainingSeconds))
                }
                outcomes[index] = outcome
            }
        }
        let finished = outcomes.values
        var results = [StudyResult.ModelResult]()
        for (e, (entry, (architecture, options))) in entries.enumerated() {
            var runs = [StudyResult.SeedRun]()
            var first: Sequential?
            for (index, job) in jobs.enumerated() where job.entry == e {
                guard let outcome = finished[index] else { throw StudyError.failed("run \(entry.name) seed \(job.seed) did not finish") }
                let (run, model) = try outcome.get()
                runs.append(run)
                if first == nil { first = model }
            }
            guard let first else { throw StudyError.failed("no seeds to run") }
            results.append(try describe(entry.name, architecture: architecture, options: options, runs: runs, model: first,
                                        dataset: dataset, folder: folder.appendingPathComponent(entry.name)))
        }
        let result = StudyResult(
            name: experiment.name, description: experiment.description ?? "", dataset: dataset.location.folder.path,
            validationSplit: experiment.validationSplit, seeds: seeds, threads: threads, parallelRuns: workers, models: results,
            totalSeconds: Date().timeIntervalSince(start))
        try StudyReport(result: result).write(to: folder)
        return result
    }

    /// Trains one model with one seed, evaluates it on the test set and records the run.
    static func trainOne(
        _ name: String, architecture: ModelSpecification, options baseOptions: TrainingOptions, seed: UInt64, isFirstSeed: Bool,
        experiment: Experiment, dataset: Dataset, threads: Int, folder: URL, store: RunDatabase?
    ) throws -> (StudyResult.SeedRun, Sequential) {
        var options = baseOptions
        options.seed = seed
        let model = try Sequential(specification: architecture, seed: seed)
        var train = dataset.train
        var validation: LabeledImages?
        if experiment.validationSplit > 0 {
            let parts = try dataset.train.stratifiedSplit(validationFraction: experiment.validationSplit, seed: seed)
            train = parts.train
            validation = parts.validation
        }
        let configuration = RunConfiguration(architecture: architecture, training: options, data: dataset.location.folder.path,
                                             validationSplit: experiment.validationSplit)
        let runID = try store?.begin(kind: "study", name: name, study: experiment.name, seed: seed, threads: threads, configuration: configuration.json)
        let history: History
        do {
            history = try Trainer.fit(model, on: train, validation: validation, options: options, threads: threads)
        } catch {
            if let runID { try store?.finish(runID, status: "failed: \(error)", epochs: [], finalMetrics: [:], artifacts: []) }
            throw error
        }
        let accuracy = Trainer.evaluate(model, on: dataset.test, flipAveraging: options.flipAveraging).accuracy
        if let runID {
            var metrics = ["test_accuracy": accuracy, "loss": history.epochs.last?.loss ?? .nan]
            metrics["val_accuracy"] = history.epochs.last?.validationAccuracy
            let artifacts = isFirstSeed ? [(kind: "model", path: folder.appendingPathComponent(name).appendingPathComponent("model.safetensors").path),
                                           (kind: "report", path: folder.appendingPathComponent("report.html").path)] : []
            try store?.finish(runID, epochs: history.rows, finalMetrics: metrics, artifacts: artifacts)
        }
        return (.init(seed: seed, testAccuracy: accuracy, trainingSeconds: history.totalSeconds, history: history), model)
    }

    /// Metrics and pictures of one model (its first seed), and its model file.
    static func describe(
        _ name: String, architecture: ModelSpecification, options: TrainingOptions, runs: [StudyResult.SeedRun],
        model: Sequential, dataset: Dataset, folder: URL
    ) throws -> StudyResult.ModelResult {
        let accuracies = runs.map(\.testAccuracy)
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        let deviation = accuracies.count < 2 ? 0 : (accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(accuracies.count - 1)).squareRoot()
        try ModelFile(model: model, classNames: dataset.classNames,
                      preprocessing: .init(imageRows: dataset.test.rows, imageColumns: dataset.test.columns), training: options)
            .write(to: folder.appendingPathComponent("model.safetensors"))
        try AtomicFile.write(PNGEncoder.encode(curves(runs[0].history, name: name)), to: folder.appendingPathComponent("curves.png"))
        var evaluation = try Evaluation.run(name: name, model: model, classNames: dataset.classNames, images: dataset.test, folder: folder,
                                            flipAveraging: options.flipAveraging)
        evaluation.pictures["curves"] = "curves.png"
        return StudyResult.ModelResult(
            name: name, architecture: architecture.outline, parameters: model.parameterCount, summary: model.summary,
            epochs: options.epochs, training: options, runs: runs, meanAccuracy: mean, accuracyStandardDeviation: deviation,
            evaluation: evaluation)
    }

    /// Loss and accuracy per epoch, training and validation, side by side.
    static func curves(_ history: History, name: String) -> Canvas {
        let palette = LineChart.palette
        let loss = LineChart(title: "\(name): loss", series: [
            .init(name: "training", values: history.epochs.map(\.loss), colour: palette[0]),
            .init(name: "validation", values: history.epochs.compactMap(\.validationLoss), colour: palette[1]),
        ])
        let accuracy = LineChart(title: "\(name): accuracy", series: [
            .init(name: "training", values: history.epochs.map(\.accuracy), colour: palette[0]),
            .init(name: "validation", values: history.epochs.compactMap(\.validationAccuracy), colour: palette[1]),
        ])
        var canvas = Canvas(width: loss.width + accuracy.width, height: loss.height, background: .white)
        canvas.draw(loss.render(), x: 0, y: 0)
        canvas.draw(accuracy.render(), x: loss.width, y: 0)
        return canvas
    }
}

/// Results filled in by concurrent workers, one slot each (models are not Sendable; each
/// slot is written by one worker and read after all have finished, under a lock).
public final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    public init(count: Int) { storage = [Value?](repeating: nil, count: count) }

    public subscript(index: Int) -> Value? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }

    public var values: [Value?] { lock.withLock { storage } }
}
