import ClassificationMetrics
import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import RunStore
import _Files

/// The one training pipeline: split → build → record → fit → (test) → save model and history
/// → finish the record. Made in two steps so a caller can show what will train before it
/// does:
///
/// ```swift
/// let run = try TrainingRun(plan, dataset: dataset)   // split and build
/// print(run.model.summary)
/// let outcome = try run.execute(store: store, observer: progress)
/// ```
public final class TrainingRun {
    public let plan: TrainingPlan
    public let model: Sequential
    /// The training set less the validation split.
    public let train: LabeledImages
    public let validation: LabeledImages?
    public let options: TrainingOptions
    /// When fine-tuning: the layers that did not come from the starting model (a new head).
    public let freshLayers: [Int]?
    /// When fine-tuning: how the starting model's classes map to the data's.
    public let headMapping: Sequential.HeadMapping?
    private let dataset: Dataset

    /// Checks the plan against the data, builds the model from the plan's seed and splits the
    /// training set (stratified, from the same seed or the plan's split seed).
    public init(_ plan: TrainingPlan, dataset: Dataset) throws {
        try plan.validate()
        self.plan = plan
        self.dataset = dataset
        var options = plan.options
        options.seed = plan.seed
        self.options = options
        model = try Self.checkedModel(
            plan.architecture, options: plan.options, validationSplit: plan.validationSplit, dataset: dataset,
            seed: plan.seed)
        if let url = plan.startingFrom {
            let source = try ModelFile.read(from: url)
            guard source.model.inputShape == model.inputShape else {
                throw StudyError.invalidField(
                    name: "startingFrom",
                    reason:
                        "\(url.path) takes inputs of \(source.model.inputShape), the model to train \(model.inputShape)"
                )
            }
            headMapping = Sequential.HeadMapping(from: source.classNames, to: dataset.classNames)
            freshLayers = model.copyWeights(from: source.model, head: headMapping!)
        } else {
            freshLayers = nil
            headMapping = nil
        }
        if let heldOut = plan.heldOut {
            let parts = try dataset.train.stratifiedSplit(validationFraction: heldOut.fraction, seed: heldOut.seed)
            train = parts.train
            validation = parts.validation
        } else {
            train = dataset.train
            validation = nil
        }
    }

    /// The model of `architecture` built from `seed`, once the options are known to suit it and
    /// the data (the study checks every entry this way before it trains any).
    public static func checkedModel(
        _ architecture: ModelSpecification, options: TrainingOptions, validationSplit: Double, dataset: Dataset,
        seed: UInt64
    ) throws -> Sequential {
        try options.validate(hasValidation: validationSplit > 0, imageShape: dataset.train.shape)
        let model = try Sequential(specification: architecture, seed: seed)
        guard model.inputSize == dataset.train.pixelsPerImage else {
            throw StudyError.invalidField(
                name: "architecture",
                reason:
                    "the model takes \(model.inputSize) inputs but the images have \(dataset.train.pixelsPerImage) "
                    + "pixels")
        }
        guard model.outputSize == dataset.classCount else {
            throw StudyError.invalidField(
                name: "architecture",
                reason:
                    "the model has \(model.outputSize) outputs but the dataset has \(dataset.classCount) "
                    + (dataset.isMultiLabel ? "tags" : "classes"))
        }
        if dataset.isMultiLabel {
            guard model.ends(in: .sigmoid), options.loss == .sigmoidBinaryCrossEntropy else {
                throw StudyError.invalidField(
                    name: "architecture",
                    reason:
                        "the dataset is multi-label (tags from manifests): the model must end in sigmoid and train "
                        + "with "
                        + "\(LossKind.sigmoidBinaryCrossEntropy.rawValue) (--multi-label sets both for a preset)")
            }
        }
        return model
    }

    /// Trains, records the run in `store` (a failed run as failed), evaluates on the test set
    /// and writes the files the plan names.
    public func execute(store: (any RunStorage)?, observer: (any TrainingObserver)? = nil) throws -> TrainingOutcome {
        let configuration = RunConfiguration(
            architecture: plan.architecture, training: options, data: dataset.location.folder.path,
            validationSplit: plan.validationSplit, splitSeed: plan.splitSeed)
        let runID = try store?.begin(
            kind: plan.kind.rawValue, name: plan.name, study: plan.study, seed: plan.seed, threads: plan.threads,
            configuration: configuration.json)
        do {
            let history = try Trainer.fit(
                model, on: train, validation: validation, options: options, threads: plan.threads, observer: observer)
            var test =
                plan.evaluatesOnTest
                ? Trainer.evaluate(
                    model, on: dataset.test, loss: options.loss, flipAveraging: options.flipAveraging,
                    positiveWeights: options.positiveWeights)
                : nil
            // Tags: thresholds from the validation split (best F1 each), judged once on the test set.
            var thresholds: [Float]?
            var tagging: MultiLabelMetrics?
            if dataset.isMultiLabel {
                if let validation, let truth = validation.tags {
                    thresholds = MultiLabelMetrics.bestThresholds(
                        truth: truth, scores: Trainer.predict(model, on: validation), tagCount: validation.tagCount)
                }
                if let evaluated = test, let truth = dataset.test.tags {
                    let metrics = MultiLabelMetrics(
                        truth: truth, scores: Trainer.predict(model, on: dataset.test),
                        tagCount: dataset.test.tagCount, thresholds: thresholds)
                    tagging = metrics
                    test = (evaluated.loss, metrics.subsetAccuracy, metrics.meanAveragePrecision)
                }
            }
            var historyFile: URL?
            if let url = plan.modelFile {
                try ModelFile(
                    model: model, classNames: dataset.classNames, preprocessing: dataset.preprocessing,
                    training: options, thresholds: thresholds, heldOut: plan.heldOut
                )
                .write(to: url)
                if plan.writesHistory { historyFile = try HistoryFile.write(history, beside: url) }
            }
            if let runID, let store {
                var metrics = history.epochs.last?.metrics ?? [:]
                if let test {
                    metrics["test_accuracy"] = test.accuracy
                    metrics["test_loss"] = test.loss
                }
                if let tagging {
                    metrics["test_mean_average_precision"] = tagging.meanAveragePrecision
                    metrics["test_micro_f1"] = tagging.microF1
                    metrics["test_macro_f1"] = tagging.macroF1
                    metrics["test_hamming_loss"] = tagging.hammingLoss
                }
                metrics.merge(plan.extraMetrics) { _, extra in extra }
                var artifacts = [StoredArtifact]()
                if let url = plan.modelFile { artifacts.append(StoredArtifact(kind: "model", path: url.path)) }
                if let historyFile { artifacts.append(StoredArtifact(kind: "history", path: historyFile.path)) }
                try store.finish(
                    runID, epochs: history.storedEpochs, finalMetrics: metrics,
                    artifacts: artifacts + plan.extraArtifacts)
            }
            return TrainingOutcome(
                model: model, history: history, options: options, modelFile: plan.modelFile, historyFile: historyFile,
                runID: runID, test: test, thresholds: thresholds, testTagging: tagging)
        } catch {
            if let runID {
                try? store?.finish(runID, status: "failed: \(error)", epochs: [], finalMetrics: [:], artifacts: [])
            }
            throw error
        }
    }
}

extension Dataset {
    /// How the dataset's pixels become a model's inputs, as the model file records it.
    public var preprocessing: Preprocessing {
        Preprocessing(image: train.shape, photos: pictureFit == .letterbox ? .letterbox : .fashionMNIST)
    }
}
