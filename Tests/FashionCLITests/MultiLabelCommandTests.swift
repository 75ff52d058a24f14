import ClassificationMetrics
import FashionData
import Foundation
import NeuralNet
import Studies
import Testing
import _TestSupport

/// The multi-label commands as a user types them: make-outfits, train on manifests,
/// evaluate with --predictions, predict's tags.
@Suite(.timeLimit(.minutes(10))) struct MultiLabelCommandTests {
    @Test func trainEvaluateAndPredictATagger() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"))
        let model = temp.file("tagger.safetensors")
        let trained = try await CommandRunner.run([
            "train", "--data", temp.file("tags").path, "--model", "16-8-4", "--epochs", "30", "--batch-size", "16",
            "--learning-rate", "0.02", "--seed", "2", "--threads", "1", "-o", model.path, "--no-store",
        ])
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        #expect(trained.standardOutput.contains("val_mean_average_precision: "))
        #expect(trained.standardOutput.contains("Thresholds (best F1 on the validation split): q0 0."))
        let file = try ModelFile.read(from: model)
        #expect(file.isMultiLabel && file.thresholds?.count == 4)
        #expect(file.training?.loss == .sigmoidBinaryCrossEntropy)

        let evaluated = try await CommandRunner.run([
            "evaluate", "--model", model.path, "--data", temp.file("tags").path, "-o", temp.file("eval").path,
            "--predictions", temp.file("p.csv").path,
        ])
        #expect(evaluated.status == 0, Comment(rawValue: evaluated.standardError))
        let out = evaluated.standardOutput
        #expect(out.contains("tagger on 40 tagged images:"))
        #expect(out.contains("Mean average precision ") && out.contains("Most often missed: "))
        #expect(out.contains("tag           precision  recall      f1      AP  threshold  support  missed  extra"))
        let json = try JSONDecoder().decode(
            TagEvaluation.self, from: Data(contentsOf: temp.file("eval/evaluation.json")))
        #expect(json.metrics.meanAveragePrecision > 0.95)
        #expect(json.thresholds == file.thresholds)
        let rows = try String(contentsOf: temp.file("p.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 41 && rows[0] == "index,labels,p_q0,p_q1,p_q2,p_q3")

        // predict: the tags over their thresholds, most probable first.
        let picture = temp.file("tags/pictures/test-0.png").path
        let predicted = try await CommandRunner.run(["predict", "--model", model.path, picture, "--json"])
        #expect(predicted.status == 0, Comment(rawValue: predicted.standardError))
        let object = try JSONSerialization.jsonObject(with: Data(predicted.standardOutput.utf8)) as? [String: Any]
        let item = (object?["predictions"] as? [[String: Any]])?.first
        let tags = (item?["tags"] as? [[String: Any]])?.compactMap { $0["className"] as? String } ?? []
        let manifest = try String(contentsOf: temp.file("tags/test.csv"), encoding: .utf8).split(separator: "\n")[1]
        let truth = manifest.split(separator: ",")[1].split(separator: "|").map(String.init)
        #expect(Set(tags) == Set(truth), "predicted \(tags), manifest \(truth)")
        let text = try await CommandRunner.run(["predict", "--model", model.path, picture])
        #expect(text.standardOutput.hasPrefix(picture + ": q"))
    }

    @Test func posWeightAutoIsNegativesOverPositivesAndBadWeightsAreRefused() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"), train: 40, test: 8)
        let data = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        let base = [
            "train", "--data", temp.file("tags").path, "--model", "16-4", "--epochs", "1", "--no-store", "-o",
            temp.file("m.safetensors").path,
        ]
        let trained = try await CommandRunner.run(base + ["--pos-weight", "auto"])
        #expect(trained.status == 0, Comment(rawValue: trained.standardError))
        let positives = data.train.classCounts(classCount: 4)
        let expected = positives.map { Double(40 - $0) / Double($0) }
        #expect(try ModelFile.read(from: temp.file("m.safetensors")).training?.positiveWeights == expected)
        let wrongCount = try await CommandRunner.run(base + ["--pos-weight", "1,2"])
        #expect(wrongCount.status != 0 && wrongCount.standardError.contains("expected auto or 4 numbers"))
        let negative = try await CommandRunner.run(base + ["--pos-weight", "1,2,0,3"])
        #expect(negative.status != 0 && negative.standardError.contains("--pos-weight: expected weights above 0"))
    }

    @Test func multiLabelOnSingleLabelDataTagsTheClasses() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Fixtures.writeIDXFolder(
            temp.file("data"), train: Fixtures.images(count: 60, classCount: 3),
            test: Fixtures.images(count: 12, classCount: 3))
        try "a\nb\nc\n".write(to: temp.file("data/classes.txt"), atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run([
            "train", "--data", temp.file("data").path, "--model", "16-3", "--epochs", "1", "--multi-label",
            "-o", temp.file("m.safetensors").path, "--no-store", "--val-split", "0.25",
        ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let file = try ModelFile.read(from: temp.file("m.safetensors"))
        #expect(file.isMultiLabel && file.thresholds?.count == 3)
    }

    @Test func makeOutfitsWritesTheBenchmarkAndRefusesBadCounts() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Fixtures.writeIDXFolder(
            temp.file("source"), train: Fixtures.images(count: 30, rows: 28, columns: 28, classCount: 10),
            test: Fixtures.images(count: 10, rows: 28, columns: 28, classCount: 10))
        let made = try await CommandRunner.run([
            "data", "make-outfits", "--data", temp.file("source").path, "-o", temp.file("outfits").path, "--count",
            "20", "--test-count", "6", "--seed", "3",
        ])
        #expect(made.status == 0, Comment(rawValue: made.standardError))
        #expect(made.standardOutput.contains("Wrote 20 training and 6 test outfits (seed 3)"))
        let info = try await CommandRunner.run(["data", "info", "--data", temp.file("outfits").path])
        #expect(info.standardOutput.contains("manifest: train.csv, test.csv"))
        #expect(info.standardOutput.contains("56x56 grayscale, 10 tags (any number an image)"))
        let bad = try await CommandRunner.run([
            "data", "make-outfits", "--data", temp.file("source").path, "-o", temp.file("o2").path, "--count", "0",
        ])
        #expect(bad.status != 0 && bad.standardError.contains("--count: expected 1 to 10,000,000 outfits a split"))
        let empty = try await CommandRunner.run([
            "data", "make-outfits", "--data", temp.file("source").path, "-o", temp.file("o3").path, "--empty", "1",
        ])
        #expect(empty.status != 0 && empty.standardError.contains("--empty: expected a probability in [0, 1)"))
    }
}
