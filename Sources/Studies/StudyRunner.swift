import ClassificationMetrics
import FashionData
import Foundation
import NeuralNet
import NumericCore
import Reports
import RunStore
import Synchronization
import _Files

/// Runs an experiment: every model with every seed, trained on the training set (less the
/// validation split), evaluated once on the test set; writes models, pictures, metrics and
/// the report into `folder`.
public enum StudyRunner {
    /// - Parameters:
    ///   - experiment: the models and their training.
    ///   - dataset: the data, split into training and validation by the experiment's share.
    ///   - seeds: each model is trained once with each.
    ///   - threads: threads per training run.
    ///   - parallelRuns: how many runs train at once (each on its own threads). Runs are
    ///     independent and seeded, so the results do not depend on this.
    ///   - folder: where the models, pictures, metrics and report go.
    ///   - store: where each run is recorded (nil: nowhere).
    ///   - progress: called with a line for each finished run.
    public static func run(
        _ experiment: Experiment, dataset: Dataset, seeds: [UInt64], threads: Int, parallelRuns: Int = 1, folder: URL,
        store: (any RunStorage)? = nil, progress: @Sendable (String) -> Void = { _ in }
    ) throws -> StudyResult {
        let start = Date()
        // A preset fits itself to the data (its input shape and its classes), as in `train`.
        let entries = try experiment.models.map { entry in
            let (architecture, options) = try experiment.resolve(entry)
            let tags = dataset.isMultiLabel
            let fitted =
                entry.preset != nil && entry.architecture == nil
                ? architecture.adapted(toImages: dataset.train.shape, classes: dataset.classCount, multiLabel: tags)
                : architecture
            return (entry, (fitted, tags ? Tagging.options(options) : options))
        }
        // Every entry is checked before anything trains: an invalid one after a long one would
        // otherwise be found only when its turn comes, many minutes in.
        for (entry, (architecture, options)) in entries {
            do {
                _ = try TrainingRun.checkedModel(
                    architecture, options: options, validationSplit: experiment.validationSplit, dataset: dataset,
                    seed: 0)
            } catch {
                throw StudyError.experimentFile(path: experiment.name, reason: "model '\(entry.name)': \(error)")
            }
        }
        let jobs = entries.indices.flatMap { e in
            seeds.prefix(entries[e].0.seedCount ?? seeds.count).map { (entry: e, seed: $0) }
        }
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
                    try trainOne(
                        entry.name, architecture: architecture, options: options, seed: job.seed,
                        isFirstSeed: job.seed == seeds.first,
                        experiment: experiment, dataset: dataset, threads: threads, folder: folder, store: store)
                }
                if case .success((let run, _)) = outcome {
                    progress(
                        String(
                            format: "%@ seed %llu: test accuracy %.4f, %d epochs in %.1f s", entry.name, run.seed,
                            run.testAccuracy,
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
                guard let outcome = finished[index] else {
                    throw StudyError.failed("run \(entry.name) seed \(job.seed) did not finish")
                }
                let (run, model) = try outcome.get()
                runs.append(run)
                if first == nil { first = model }
            }
            guard let first else { throw StudyError.failed("no seeds to run") }
            results.append(
                try describe(
                    entry.name, architecture: architecture, options: options, runs: runs, model: first,
                    dataset: dataset, folder: folder.appendingPathComponent(entry.name)))
        }
        let result = StudyResult(
            name: experiment.name, description: experiment.description ?? "", dataset: dataset.location.folder.path,
            validationSplit: experiment.validationSplit, seeds: seeds, threads: threads, parallelRuns: workers,
            models: results,
            totalSeconds: Date().timeIntervalSince(start))
        try StudyReport(result: result).write(to: folder)
        return result
    }

    /// Trains one model with one seed through the pipeline, evaluates it on the test set and
    /// records the run; the first seed's model file goes into the model's folder.
    static func trainOne(
        _ name: String, architecture: ModelSpecification, options: TrainingOptions, seed: UInt64, isFirstSeed: Bool,
        experiment: Experiment, dataset: Dataset, threads: Int, folder: URL, store: (any RunStorage)?
    ) throws -> (StudyResult.SeedRun, Sequential) {
        let plan = TrainingPlan(
            kind: .study, name: name, study: experiment.name, architecture: architecture, options: options, seed: seed,
            validationSplit: experiment.validationSplit, threads: threads,
            modelFile: isFirstSeed
                ? folder.appendingPathComponent(name).appendingPathComponent("model.safetensors") : nil,
            evaluatesOnTest: true,
            extraArtifacts: isFirstSeed
                ? [StoredArtifact(kind: "report", path: folder.appendingPathComponent("report.html").path)] : [])
        let outcome = try TrainingRun(plan, dataset: dataset).execute(store: store)
        let accuracy = outcome.test?.accuracy ?? .nan
        return (
            .init(
                seed: seed, testAccuracy: accuracy, trainingSeconds: outcome.history.totalSeconds,
                history: outcome.history, testMeanAveragePrecision: outcome.test?.meanAveragePrecision),
            outcome.model
        )
    }

    /// Metrics and pictures of one model (its first seed, whose model file the pipeline wrote).
    static func describe(
        _ name: String, architecture: ModelSpecification, options: TrainingOptions, runs: [StudyResult.SeedRun],
        model: Sequential, dataset: Dataset, folder: URL
    ) throws -> StudyResult.ModelResult {
        let accuracies = runs.map(\.headline)
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        let deviation =
            accuracies.count < 2
            ? 0 : (accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(accuracies.count - 1)).squareRoot()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(
            PNGEncoder.encode(curves(runs[0].history, name: name)), to: folder.appendingPathComponent("curves.png"))
        if dataset.isMultiLabel {
            // The thresholds the pipeline chose on the validation split are in the model file.
            let file = try ModelFile.read(from: folder.appendingPathComponent("model.safetensors"))
            var tagging = try TagEvaluation.run(
                name: name, tagNames: dataset.classNames, thresholds: file.decisionThresholds, images: dataset.test,
                probabilities: Trainer.predict(model, on: dataset.test), folder: folder)
            tagging.pictures["curves"] = "curves.png"
            return StudyResult.ModelResult(
                name: name, architecture: architecture.outline, parameters: model.parameterCount,
                summary: model.summary, epochs: options.epochs, training: options, runs: runs, meanAccuracy: mean,
                accuracyStandardDeviation: deviation, evaluation: nil, tagging: tagging)
        }
        var evaluation = try Evaluation.run(
            name: name, model: model, classNames: dataset.classNames, images: dataset.test, folder: folder,
            flipAveraging: options.flipAveraging)
        evaluation.pictures["curves"] = "curves.png"
        return StudyResult.ModelResult(
            name: name, architecture: architecture.outline, parameters: model.parameterCount, summary: model.summary,
            epochs: options.epochs, training: options, runs: runs, meanAccuracy: mean,
            accuracyStandardDeviation: deviation,
            evaluation: evaluation)
    }

    /// Loss and accuracy per epoch, training and validation, side by side.
    static func curves(_ history: History, name: String) -> Canvas {
        let palette = LineChart.palette
        let loss = LineChart(
            title: "\(name): loss",
            series: [
                .init(name: "training", values: history.epochs.map(\.loss), colour: palette[0]),
                .init(name: "validation", values: history.epochs.compactMap(\.validationLoss), colour: palette[1]),
            ])
        let accuracy = LineChart(
            title: "\(name): accuracy",
            series: [
                .init(name: "training", values: history.epochs.map(\.accuracy), colour: palette[0]),
                .init(name: "validation", values: history.epochs.compactMap(\.validationAccuracy), colour: palette[1]),
            ])
        var canvas = Canvas(width: loss.width + accuracy.width, height: loss.height, background: .white)
        canvas.draw(loss.render(), x: 0, y: 0)
        canvas.draw(accuracy.render(), x: loss.width, y: 0)
        return canvas
    }
}
