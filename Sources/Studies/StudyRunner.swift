import FashionData
import Foundation
import Metrics
import NeuralNet
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
        public let epochs: Int
        public let training: TrainingOptions
        public let runs: [SeedRun]
        public let meanAccuracy: Double
        public let accuracyStandardDeviation: Double
        public let report: ClassificationReport
        public let confusion: ConfusionMatrix
        public let top2Accuracy: Double
        public let logLoss: Double
        public let expectedCalibrationError: Double
        public let calibration: [ProbabilityMetrics.CalibrationBin]
        /// File names of the pictures, relative to the model's folder.
        public let pictures: [String: String]

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
    public let models: [ModelResult]
    public let totalSeconds: Double
}

/// Runs an experiment: every model with every seed, trained on the training set (less the
/// validation split), evaluated once on the test set; writes models, pictures, metrics and
/// the report into `folder`.
public enum StudyRunner {
    public static func run(
        _ experiment: Experiment, dataset: Dataset, seeds: [UInt64], threads: Int, folder: URL,
        progress: (String) -> Void = { _ in }
    ) throws -> StudyResult {
        let start = Date()
        var results = [StudyResult.ModelResult]()
        for entry in experiment.models {
            let (architecture, baseOptions) = try experiment.resolve(entry)
            var runs = [StudyResult.SeedRun]()
            var first: (model: Sequential, probabilities: [Float])?
            for seed in seeds {
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
                let history = try Trainer.fit(model, on: train, validation: validation, options: options, threads: threads)
                let probabilities = Trainer.predict(model, on: dataset.test)
                let predictions = ProbabilityMetrics.predictions(probabilities, classCount: dataset.classCount)
                let labels = dataset.test.labels.map(Int.init)
                let accuracy = Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
                runs.append(.init(seed: seed, testAccuracy: accuracy, trainingSeconds: history.totalSeconds, history: history))
                progress(String(format: "%@ seed %llu: test accuracy %.4f, %d epochs in %.1f s", entry.name, seed, accuracy,
                                history.epochs.count, history.totalSeconds))
                if first == nil { first = (model, probabilities) }
            }
            guard let first else { throw StudyError.failed("no seeds to run") }
            results.append(try describe(entry.name, architecture: architecture, options: baseOptions, runs: runs, model: first.model,
                                        probabilities: first.probabilities, dataset: dataset, folder: folder.appendingPathComponent(entry.name)))
        }
        let result = StudyResult(
            name: experiment.name, description: experiment.description ?? "", dataset: dataset.location.folder.path,
            validationSplit: experiment.validationSplit, seeds: seeds, threads: threads, models: results,
            totalSeconds: Date().timeIntervalSince(start))
        try StudyReport(result: result).write(to: folder)
        return result
    }

    /// Metrics and pictures of one model (its first seed), and its model file.
    static func describe(
        _ name: String, architecture: ModelSpecification, options: TrainingOptions, runs: [StudyResult.SeedRun],
        model: Sequential, probabilities: [Float], dataset: Dataset, folder: URL
    ) throws -> StudyResult.ModelResult {
        let classes = dataset.classCount
        let labels = dataset.test.labels.map(Int.init)
        let predictions = ProbabilityMetrics.predictions(probabilities, classCount: classes)
        let confusion = ConfusionMatrix(labels: labels, predictions: predictions, classCount: classes)
        let report = ClassificationReport(confusion: confusion, classNames: dataset.classNames)
        let calibration = ProbabilityMetrics.calibration(probabilities, labels: labels, classCount: classes)
        let accuracies = runs.map(\.testAccuracy)
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        let deviation = accuracies.count < 2 ? 0 : (accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(accuracies.count - 1)).squareRoot()

        try ModelFile(model: model, classNames: dataset.classNames,
                      preprocessing: .init(imageRows: dataset.test.rows, imageColumns: dataset.test.columns), training: options)
            .write(to: folder.appendingPathComponent("model.safetensors"))
        var pictures = [String: String]()
        func save(_ canvas: Canvas, _ file: String, _ key: String) throws {
            try AtomicFile.write(PNGEncoder.encode(canvas), to: folder.appendingPathComponent(file))
            pictures[key] = file
        }
        try save(ConfusionHeatmap(title: "\(name): confusion matrix (test set)", counts: confusion.counts, classNames: dataset.classNames).render(),
                 "confusion.png", "confusion")
        let items = (0..<32).map { i in
            PredictionGrid.Item(image: dataset.test.image(at: i), predicted: dataset.classNames[predictions[i]],
                                truth: dataset.classNames[labels[i]], confidence: Double(probabilities[i * classes + predictions[i]]))
        }
        try save(PredictionGrid(title: "\(name): the first 32 test images", items: items, imageRows: dataset.test.rows,
                                imageColumns: dataset.test.columns).render(), "predictions.png", "predictions")
        let mistakes = labels.indices.filter { predictions[$0] != labels[$0] }
            .sorted { probabilities[$0 * classes + predictions[$0]] > probabilities[$1 * classes + predictions[$1]] }.prefix(24)
        try save(PredictionGrid(title: "\(name): the most confident mistakes", items: mistakes.map { i in
            PredictionGrid.Item(image: dataset.test.image(at: i), predicted: dataset.classNames[predictions[i]],
                                truth: dataset.classNames[labels[i]], confidence: Double(probabilities[i * classes + predictions[i]]))
        }, imageRows: dataset.test.rows, imageColumns: dataset.test.columns).render(), "mistakes.png", "mistakes")
        try save(curves(runs[0].history, name: name), "curves.png", "curves")
        return StudyResult.ModelResult(
            name: name, architecture: architecture.compact ?? "custom", parameters: model.parameterCount,
            epochs: options.epochs, training: options, runs: runs, meanAccuracy: mean, accuracyStandardDeviation: deviation,
            report: report, confusion: confusion,
            top2Accuracy: ProbabilityMetrics.topKAccuracy(probabilities, labels: labels, classCount: classes, k: 2),
            logLoss: ProbabilityMetrics.logLoss(probabilities, labels: labels, classCount: classes),
            expectedCalibrationError: calibration.expectedCalibrationError, calibration: calibration.bins, pictures: pictures)
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
