import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Reports
import Studies
import Testing
import _TestSupport

/// `fashion evaluate` and `fashion predict` on a Model 1 trained for one epoch on the real data.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EvaluatePredictTests {
    func trainedModel(in folder: TemporaryFolder) throws -> URL {
        try #require(RealData.isPresent, Comment(rawValue: RealData.missingMessage))
        let dataset = try Dataset.load(from: DatasetLocator.locate(explicit: RealData.folder, environment: [:]))
        let model = try Sequential(specification: Preset.named("model1")!.model, seed: 1)
        _ = try Trainer.fit(model, on: dataset.train, options: TrainingOptions(epochs: 1), threads: 2)
        let url = folder.file("m1.safetensors")
        try ModelFile(
            model: model, classNames: dataset.classNames, preprocessing: .init(image: ImageShape(height: 28, width: 28))
        ).write(to: url)
        return url
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func evaluateWritesMetricsAndPictures() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try trainedModel(in: temp)
        let result = try await CommandRunner.run([
            "evaluate", "--model", model.path, "--data", RealData.folder.path, "--json",
        ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let evaluation = try JSONDecoder().decode(Evaluation.self, from: Data(result.standardOutput.utf8))
        #expect(evaluation.accuracy > 0.8)
        #expect(evaluation.report.perClass.reduce(0) { $0 + $1.support } == 10_000)
        #expect(evaluation.top2Accuracy >= evaluation.accuracy)
        let folder = temp.file("m1-evaluation")
        for name in [
            "confusion.png", "predictions.png", "mistakes.png", "explanations.png", "calibration.png", "weights.png",
            "evaluation.json",
            "evaluation.md", "confusion.svg", "calibration.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        // The vector charts carry their labels as text.
        let confusionSVG = try String(contentsOf: folder.appendingPathComponent("confusion.svg"), encoding: .utf8)
        #expect(confusionSVG.hasPrefix("<svg ") && confusionSVG.contains(">Ankle boot</text>"))
        let text = try await CommandRunner.run([
            "evaluate", "--model", model.path, "--data", RealData.folder.path, "-o", temp.file("e2").path,
        ])
        #expect(text.standardOutput.contains("precision    recall  f1-score   support"))
        #expect(text.standardOutput.contains("Most confused: "))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func evaluateFollowsTheModelFilesFlipAveragingUnlessTold() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = try Dataset.load(from: DatasetLocator.locate(explicit: RealData.folder, environment: [:]))
        let model = try Sequential(inputShape: [28, 28, 1], seed: 1) {
            Flatten()
            Dense(units: 10)
            Softmax()
        }
        let options = TrainingOptions(epochs: 1, augmentation: Augmentation(flipProbability: 0.5), flipAveraging: true)
        _ = try Trainer.fit(model, on: dataset.train, options: options, threads: 2)
        let url = temp.file("flip.safetensors")
        try ModelFile(
            model: model, classNames: dataset.classNames,
            preprocessing: .init(image: ImageShape(height: 28, width: 28)), training: options
        )
        .write(to: url)
        func accuracy(_ extra: [String]) async throws -> Double {
            let result = try await CommandRunner.run(
                ["evaluate", "--model", url.path, "--data", RealData.folder.path, "--json", "-o", temp.file("e").path]
                    + extra)
            #expect(result.status == 0, Comment(rawValue: result.standardError))
            return try JSONDecoder().decode(Evaluation.self, from: Data(result.standardOutput.utf8)).accuracy
        }
        let averaged = Trainer.evaluate(model, on: dataset.test, flipAveraging: true).accuracy
        let plain = Trainer.evaluate(model, on: dataset.test).accuracy
        #expect(averaged != plain)
        await #expect(try accuracy([]) == averaged)
        await #expect(try accuracy(["--no-flip-averaging"]) == plain)
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func predictClassifiesPicturesAndBatchesAndReportsBadFiles() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try trainedModel(in: temp)
        // A dark pair of trousers on white, 60x90, as a product photo would be.
        var canvas = Canvas(width: 60, height: 90, background: .white)
        canvas.fill(x: 15, y: 5, width: 30, height: 15, colour: Colour(30, 30, 60))
        canvas.fill(x: 15, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        canvas.fill(x: 33, y: 5, width: 12, height: 80, colour: Colour(30, 30, 60))
        let picture = temp.file("trousers.png")
        try Data(PNGEncoder.encode(canvas)).write(to: picture)
        let bad = temp.file("notes.png")
        try "not a picture".write(to: bad, atomically: true, encoding: .utf8)
        let batch = RealData.folder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path

        let result = try await CommandRunner.run([
            "predict", "--model", model.path, picture.path, bad.path, batch, "--json",
        ])
        #expect(result.status == 1)
        let prediction = try JSONDecoder().decode(Prediction.self, from: Data(result.standardOutput.utf8))
        #expect(prediction.predictions.count == 1 + 10_000)
        #expect(prediction.predictions[0].top.first?.className == "Trouser")
        #expect(prediction.predictions[0].top.count == 3)
        #expect(prediction.predictions[1].input == batch + "#0")
        #expect(prediction.failures.map(\.input) == [bad.path])
        #expect(
            prediction.failures[0].message.contains("expected a PNG or JPEG picture, an IDX image file or a CSV file"))

        let text = try await CommandRunner.run(["predict", "--model", model.path, picture.path, bad.path])
        #expect(text.standardOutput.hasPrefix(picture.path + ": Trouser "))
        #expect(text.standardError.contains("error: \(bad.path): "))
    }
}

/// Inputs that are not regular files get a plain message, never a hang or Foundation's codes.
@Suite(.timeLimit(.minutes(10))) struct NotAFileTests {
    @Test func foldersAndFIFOsAreNamedForWhatTheyAre() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let fifo = temp.file("pipe.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        try FileManager.default.createDirectory(at: temp.file("folder.csv"), withIntermediateDirectories: true)
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NeuralNetTests/Fixtures/model-format-1.safetensors")
        let pipe = try await CommandRunner.run([
            "evaluate", "--model", model.path, "--csv", fifo.path, "-o", temp.file("e").path,
        ])
        #expect(
            pipe.status != 0
                && pipe.standardError.contains("\(fifo.path): cannot read the file: is a FIFO (named pipe), not a file")
        )
        let folder = try await CommandRunner.run([
            "evaluate", "--model", model.path, "--csv", temp.file("folder.csv").path,
        ])
        #expect(folder.status != 0 && folder.standardError.contains("is a folder, not a file"))
        let asModel = try await CommandRunner.run(["predict", "--model", temp.file("folder.csv").path, fifo.path])
        #expect(asModel.status != 0 && asModel.standardError.contains("folder.csv: is a folder, not a file"))
        // predict names a bad input once.
        let bad = temp.file("notes.png")
        try "not a picture".write(to: bad, atomically: true, encoding: .utf8)
        let predicted = try await CommandRunner.run(["predict", "--model", model.path, bad.path])
        #expect(
            predicted.standardError.contains("error: \(bad.path): not a usable image: expected a PNG or JPEG picture"))
        #expect(!predicted.standardError.contains("\(bad.path): \(bad.path)"))
    }
}

/// `fashion train --split-seed` and `fashion evaluate --model A --model B --on validation`.
@Suite(.timeLimit(.minutes(10))) struct EnsembleCommandTests {
    @Test func membersOfOneSplitAreJudgedTogetherOnIt() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Fixtures.writeIDXFolder(
            temp.file("data"), train: Fixtures.images(count: 80, classCount: 4),
            test: Fixtures.images(count: 20, classCount: 4))
        try "a\nb\nc\nd\n".write(to: temp.file("data/classes.txt"), atomically: true, encoding: .utf8)
        let data = temp.file("data").path
        func train(_ name: String, seed: Int, _ extra: [String]) async throws -> CommandRunner.Result {
            try await CommandRunner.run(
                [
                    "train", "--data", data, "--model", "16-8-4", "--epochs", "2", "--seed", "\(seed)", "--no-store",
                    "-o", temp.file("\(name).safetensors").path,
                ] + extra)
        }
        for (name, seed, extra) in [
            ("a", 1, ["--split-seed", "5"]), ("b", 2, ["--split-seed", "5"]), ("c", 3, [String]()),
        ] {
            let trained = try await train(name, seed: seed, extra)
            #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        }
        let together = try await CommandRunner.run([
            "evaluate", "--data", data, "--on", "validation", "--model", temp.file("a.safetensors").path, "--model",
            temp.file("b.safetensors").path, "--predictions", temp.file("p.csv").path, "-o", temp.file("e").path,
        ])
        #expect(together.status == 0, Comment(rawValue: together.standardError))
        #expect(together.standardOutput.hasPrefix("a+b on 8 images:"))
        let rows = try String(contentsOf: temp.file("p.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 1 + 8)

        let apart = try await CommandRunner.run([
            "evaluate", "--data", data, "--on", "validation", "--model", temp.file("a.safetensors").path, "--model",
            temp.file("c.safetensors").path,
        ])
        #expect(apart.status != 0 && apart.standardError.contains("train the members with the same --split-seed"))
        let noSplit = try await train("d", seed: 4, ["--split-seed", "5", "--val-split", "0"])
        #expect(
            noSplit.status != 0
                && noSplit.standardError.contains("--split-seed: seeds the validation split, and --val-split 0"))
        let withImages = try await CommandRunner.run([
            "evaluate", "--on", "validation", "--model", temp.file("a.safetensors").path, "--csv", "x.csv",
        ])
        #expect(withImages.status != 0 && withImages.standardError.contains("not with --images or --csv"))
    }

    @Test func predictWithTwoModelsGivesTheMeanOfTheirProbabilities() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try await trainEnsembleMembers(in: temp)
        let images = temp.file("data/t10k-images-idx3-ubyte.gz").path
        /// Each image's probability of each class, from `fashion predict --json --top 4`.
        func probabilities(_ models: [String]) async throws -> [[String: Double]] {
            let result = try await CommandRunner.run(
                ["predict", "--json", "--top", "4", images]
                    + models.flatMap { ["--model", temp.file("\($0).safetensors").path] })
            #expect(result.status == 0, Comment(rawValue: result.standardError))
            let document = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            let items = try #require(document?["predictions"] as? [[String: Any]])
            return items.map { item in
                var row = [String: Double]()
                for score in item["top"] as? [[String: Any]] ?? [] {
                    row[score["className"] as? String ?? ""] = score["probability"] as? Double
                }
                return row
            }
        }
        let (a, b, both) = await (try probabilities(["a"]), try probabilities(["b"]), try probabilities(["a", "b"]))
        #expect(both.count == 6 && a.count == 6)
        var differs = false
        for (image, row) in both.enumerated() {
            #expect(row.count == 4)
            for (name, p) in row {
                let mean = (Float(a[image][name] ?? -1) + Float(b[image][name] ?? -1)) / 2
                #expect(abs(Float(p) - mean) <= 1e-6, "image \(image), class \(name)")
                differs = differs || abs((a[image][name] ?? 0) - (b[image][name] ?? 0)) > 1e-4
            }
        }
        #expect(differs, "the two members should not be the same model")
        let mismatched = try await CommandRunner.run([
            "predict", images, "--model", temp.file("a.safetensors").path, "--model", temp.file("e.safetensors").path,
        ])
        #expect(
            mismatched.status != 0 && mismatched.standardError.contains("must name the same classes in the same order"))
    }
}

/// Three small dense models for the ensemble tests, trained in `temp`: a.safetensors and
/// b.safetensors (seeds 1 and 2) on data/ (classes a to d, 6 test images in
/// data/t10k-images-idx3-ubyte.gz), e.safetensors on other/ (classes w to z).
func trainEnsembleMembers(in temp: TemporaryFolder) async throws {
    for (folder, classes) in [("data", "a\nb\nc\nd\n"), ("other", "w\nx\ny\nz\n")] {
        try Fixtures.writeIDXFolder(
            temp.file(folder), train: Fixtures.images(count: 60, classCount: 4),
            test: Fixtures.images(count: 6, classCount: 4))
        try classes.write(to: temp.file("\(folder)/classes.txt"), atomically: true, encoding: .utf8)
    }
    for (name, seed, folder) in [("a", 1, "data"), ("b", 2, "data"), ("e", 3, "other")] {
        let trained = try await CommandRunner.run([
            "train", "--data", temp.file(folder).path, "--model", "16-8-4", "--epochs", "2", "--seed", "\(seed)",
            "--no-store", "-o", temp.file("\(name).safetensors").path,
        ])
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
    }
}
