import ClassificationMetrics
import FashionData
import Foundation
import NeuralNet
import Studies
import Testing
import _TestSupport

/// Models judged together (`fashion evaluate --model A --model B`) and on the validation split
/// they held out (`--on validation`).
@Suite(.timeLimit(.minutes(10))) struct EnsembleEvaluationTests {
    func dataset(in folder: TemporaryFolder) throws -> Dataset {
        try Fixtures.writeIDXFolder(
            folder.file("data"), train: Fixtures.images(count: 120, classCount: 3),
            test: Fixtures.images(count: 30, classCount: 3))
        try "a\nb\nc\n".write(to: folder.file("data/classes.txt"), atomically: true, encoding: .utf8)
        return try Dataset.load(from: DatasetLocator.locate(explicit: folder.file("data"), environment: [:]))
    }

    /// Trains a small dense model with `seed` into `name`.safetensors and returns the run.
    @discardableResult
    func train(
        _ name: String, seed: UInt64, splitSeed: UInt64?, split: Double = 0.25, data: Dataset, in temp: TemporaryFolder
    ) throws -> TrainingRun {
        let plan = TrainingPlan(
            kind: .train, name: name, architecture: .dense([16, 8, 3]),
            options: TrainingOptions(epochs: 3, batchSize: 16), seed: seed, validationSplit: split, threads: 1,
            modelFile: temp.file("\(name).safetensors"), splitSeed: splitSeed)
        let run = try TrainingRun(plan, dataset: data)
        _ = try run.execute(store: nil)
        return run
    }

    @Test func anEnsembleIsJudgedOnTheMeanOfItsMembersProbabilities() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        let first = try train("a", seed: 1, splitSeed: 9, data: data, in: temp)
        let second = try train("b", seed: 2, splitSeed: 9, data: data, in: temp)
        let urls = [temp.file("a.safetensors"), temp.file("b.safetensors")]

        // Both files record the split they held out: the same images, though their seeds differ.
        for url in urls { #expect(try ModelFile.read(from: url).heldOut == HeldOutSplit(fraction: 0.25, seed: 9)) }
        let validation = try ModelEvaluation.heldOutImages(modelFiles: urls, train: data.train)
        #expect(validation.count == 30)
        #expect(validation.pixels == first.validation?.pixels && validation.labels == second.validation?.labels)

        let members = try urls.map { try ModelFile.read(from: $0).model }
        let a = Trainer.predict(members[0], on: validation)
        let b = Trainer.predict(members[1], on: validation)
        #expect(a != b)
        let mean = zip(a, b).map { ($0 + $1) / 2 }
        let labels = validation.labels.map(Int.init)
        let result = try ModelEvaluation.run(
            modelFiles: urls, images: validation, source: "the validation split", folder: temp.file("e"))
        let evaluation = try #require(result.evaluation)
        #expect(result.name == "a+b")
        #expect(evaluation.logLoss == ProbabilityMetrics.logLoss(mean, labels: labels, classCount: 3))
        let predicted = ProbabilityMetrics.predictions(mean, classCount: 3)
        #expect(evaluation.accuracy == Double(zip(predicted, labels).filter { $0 == $1 }.count) / 30)
        #expect(FileManager.default.fileExists(atPath: temp.file("e/explanations.png").path))

        // One file alone is that model's own evaluation.
        let alone = try ModelEvaluation.run(modelFile: urls[0], images: validation, source: "the validation split")
        #expect(alone.name == "a")
        #expect(alone.evaluation?.logLoss == ProbabilityMetrics.logLoss(a, labels: labels, classCount: 3))
    }

    @Test func membersThatHeldOutOtherImagesAreRefused() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        try train("a", seed: 1, splitSeed: nil, data: data, in: temp)
        try train("b", seed: 2, splitSeed: nil, data: data, in: temp)
        try train("none", seed: 3, splitSeed: nil, split: 0, data: data, in: temp)
        let a = temp.file("a.safetensors")
        #expect(try ModelFile.read(from: a).heldOut == HeldOutSplit(fraction: 0.25, seed: 1))
        let error = #expect(throws: StudyError.self) {
            try ModelEvaluation.heldOutImages(modelFiles: [a, temp.file("b.safetensors")], train: data.train)
        }
        #expect(
            error?.description
                == "model: \(temp.file("b.safetensors").path) held out 25% of the training set drawn with seed 2, "
                + "\(a.path) 25% with seed 1: each was validated on images another trained on; train the members "
                + "with the same --split-seed and --val-split")
        let none = #expect(throws: StudyError.self) {
            try ModelEvaluation.heldOutImages(modelFiles: [temp.file("none.safetensors")], train: data.train)
        }
        #expect(none?.description.contains("records no validation split") == true)
    }

    @Test func membersMustTakeTheSameImagesAndNameTheSameClasses() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp)
        try train("a", seed: 1, splitSeed: nil, data: data, in: temp)
        let images = try TinyModel.write(to: temp.file("tiny.safetensors"))
        let mixed = #expect(throws: StudyError.self) {
            try ModelEvaluation.run(
                modelFiles: [temp.file("a.safetensors"), temp.file("tiny.safetensors")], images: data.test,
                source: "the test set")
        }
        #expect(mixed?.description.contains("an ensemble's members must take the same images") == true)

        // The same architecture under other class names.
        let renamed = try ModelFile.read(from: temp.file("tiny.safetensors"))
        try ModelFile(
            model: renamed.model, classNames: ["tee", "bag", "trouser"], preprocessing: renamed.preprocessing,
            training: renamed.training
        ).write(to: temp.file("renamed.safetensors"))
        let classes = #expect(throws: StudyError.self) {
            try ModelEvaluation.run(
                modelFiles: [temp.file("tiny.safetensors"), temp.file("renamed.safetensors")], images: images,
                source: "the fixture")
        }
        #expect(classes?.description.contains("must name the same classes in the same order") == true)
    }
}
