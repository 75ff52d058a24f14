import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import RunStore
import Studies
import Testing
import _SQLiteStore
import _TestSupport

/// The one training pipeline, driven as `train`, `study` and tune's retrain drive it.
@Suite(.timeLimit(.minutes(10))) struct TrainingRunTests {
    func dataset(in folder: TemporaryFolder) throws -> Dataset {
        try Fixtures.writeIDXFolder(
            folder.file("data"), train: Fixtures.images(count: 120, classCount: 3),
            test: Fixtures.images(count: 30, classCount: 3))
        try "a\nb\nc\n".write(to: folder.file("data/classes.txt"), atomically: true, encoding: .utf8)
        return try Dataset.load(from: DatasetLocator.locate(explicit: folder.file("data"), environment: [:]))
    }

    static let architecture = ModelSpecification.dense([16, 8, 3])

    @Test(arguments: [TrainingPlan.Kind.train, .study, .tune])
    func eachKindSplitsTrainsRecordsAndSaves(kind: TrainingPlan.Kind) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        let split = kind == .tune ? 0 : 0.25
        let plan = TrainingPlan(
            kind: kind, name: "m-\(kind)", study: kind == .train ? nil : "s", architecture: Self.architecture,
            options: TrainingOptions(epochs: 2, batchSize: 16), seed: 7, validationSplit: split, threads: 1,
            modelFile: temp.file("out/model.safetensors"), writesHistory: kind == .train,
            evaluatesOnTest: kind != .train,
            extraMetrics: kind == .tune ? ["val_accuracy": 0.5] : [:])
        let run = try TrainingRun(plan, dataset: data)
        #expect(run.train.count == (kind == .tune ? 120 : 90) && run.validation?.count == (kind == .tune ? nil : 30))
        #expect(run.options.seed == 7)
        let outcome = try run.execute(store: store)
        #expect(outcome.history.epochs.count == 2)
        #expect((outcome.test != nil) == (kind != .train))

        // The model file holds the trained weights and the dataset's preprocessing.
        let file = try ModelFile.read(from: temp.file("out/model.safetensors"))
        #expect(file.preprocessing.image == ImageShape(height: 4, width: 4, channels: 1))
        #expect(file.training?.seed == 7)
        #expect(Trainer.predict(file.model, on: data.test) == Trainer.predict(outcome.model, on: data.test))
        #expect(FileManager.default.fileExists(atPath: temp.file("out/model.history.json").path) == (kind == .train))

        // The store has the run, its epochs by name and its files.
        let details = try store.details(of: try #require(outcome.runID))
        #expect(details.run.kind == kind.rawValue && details.run.status == "finished" && details.run.seed == 7)
        #expect(details.epochs.map(\.metrics) == outcome.history.epochs.map(\.metrics))
        #expect(details.run.finalMetrics["loss"] == outcome.history.epochs.last?.loss)
        #expect(details.run.finalMetrics["test_accuracy"] == outcome.test?.accuracy)
        if kind == .tune { #expect(details.run.finalMetrics["val_accuracy"] == 0.5) }
        #expect(details.artifacts.first == StoredArtifact(kind: "model", path: temp.file("out/model.safetensors").path))
    }

    @Test func theSameSeedGivesTheSameWeightsAsCallingTheTrainerDirectly() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let options = TrainingOptions(epochs: 2, batchSize: 16)
        let plan = TrainingPlan(
            kind: .train, name: "m", architecture: Self.architecture, options: options, seed: 3,
            validationSplit: 0.25, threads: 1)
        let outcome = try TrainingRun(plan, dataset: data).execute(store: nil)
        // What the commands did before the pipeline: build from the seed, split from it, fit.
        let model = try Sequential(specification: Self.architecture, seed: 3)
        let parts = try data.train.stratifiedSplit(validationFraction: 0.25, seed: 3)
        var seeded = options
        seeded.seed = 3
        _ = try Trainer.fit(model, on: parts.train, validation: parts.validation, options: seeded, threads: 1)
        #expect(model.snapshot() == outcome.model.snapshot())
    }

    @Test func aFailedRunIsRecordedAsFailedAndFieldsAreNamed() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        let diverging = TrainingOptions(epochs: 1, optimizer: OptimizerSpecification(kind: .sgd, learningRate: 1e30))
        let plan = TrainingPlan(
            kind: .train, name: "m", architecture: Self.architecture, options: diverging, seed: 1,
            validationSplit: 0, threads: 1, modelFile: temp.file("m.safetensors"))
        #expect(throws: ModelError.self) { try TrainingRun(plan, dataset: data).execute(store: store) }
        #expect(try store.runs().first?.status.hasPrefix("failed: training diverged") == true)
        #expect(!FileManager.default.fileExists(atPath: temp.file("m.safetensors").path))

        var wrongSplit = plan
        wrongSplit.validationSplit = 1.5
        let error = #expect(throws: StudyError.self) { try TrainingRun(wrongSplit, dataset: data) }
        #expect(error?.description == "validationSplit: expected a fraction in [0, 1), found 1.5")
        var wrongModel = plan
        wrongModel.architecture = .dense([10, 3])
        let shape = #expect(throws: StudyError.self) { try TrainingRun(wrongModel, dataset: data) }
        #expect(shape?.description == "architecture: the model takes 10 inputs but the images have 16 pixels")
    }

    @Test func aStudyChecksEveryEntryBeforeTrainingAny() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        let experiment = Experiment(
            name: "late", validationSplit: 0.2, seeds: [1],
            models: [
                .init(name: "long", architecture: Self.architecture, training: TrainingOptions(epochs: 500)),
                .init(name: "broken", architecture: Self.architecture, training: TrainingOptions(epochs: 0)),
            ])
        let error = #expect(throws: StudyError.self) {
            try StudyRunner.run(
                experiment, dataset: data, seeds: [1], threads: 1, folder: temp.file("out"), store: store)
        }
        #expect(error?.description == "late: model 'broken': epochs: expected at least 1, found 0")
        #expect(try store.runs().isEmpty, "nothing trained")
    }

    @Test func evaluatingNoImagesIsAnError() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let plan = TrainingPlan(
            kind: .train, name: "m", architecture: Self.architecture, options: TrainingOptions(epochs: 1),
            seed: 1, validationSplit: 0, threads: 1, modelFile: temp.file("m.safetensors"))
        _ = try TrainingRun(plan, dataset: data).execute(store: nil)
        let empty = LabeledImages(pixels: [], labels: [], rows: 4, columns: 4)
        let error = #expect(throws: StudyError.self) {
            try ModelEvaluation.run(modelFile: temp.file("m.safetensors"), images: empty, source: "empty.csv")
        }
        #expect(error?.description == "images: empty.csv has no images; nothing to evaluate")
    }
}
