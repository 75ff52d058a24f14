import ClassificationMetrics
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

/// Multi-label through the pipeline: the outfit generator, training a tagger, its thresholds,
/// its evaluation and the per-image predictions file.
@Suite(.timeLimit(.minutes(10))) struct MultiLabelTests {
    /// A 28x28 ten-class source for outfits: images whose pixels say their index.
    static func source(in temp: TemporaryFolder) throws -> Dataset {
        try Fixtures.writeIDXFolder(
            temp.file("source"), train: Fixtures.images(count: 50, rows: 28, columns: 28, classCount: 10),
            test: Fixtures.images(count: 20, rows: 28, columns: 28, classCount: 10))
        try (0..<10).map { "c\($0)" }.joined(separator: "\n")
            .write(to: temp.file("source/classes.txt"), atomically: true, encoding: .utf8)
        return try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("source"), environment: [:]))
    }

    static func files(under folder: URL) throws -> [String: Data] {
        let paths = FileManager.default.enumerator(atPath: folder.path)!.compactMap { $0 as? String }
        var result = [String: Data]()
        for path in paths where !path.hasSuffix("/") {
            var isFolder: ObjCBool = false
            let full = folder.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                result[path] = FileManager.default.contents(atPath: full)
            }
        }
        return result
    }

    @Test func outfitsAreSeededAndMadeOfTheirSplitsItems() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let source = try Self.source(in: temp)
        var options = Outfits.Options()
        options.trainCount = 40
        options.testCount = 12
        options.seed = 5
        try Outfits.write(from: source, to: temp.file("a"), options: options)
        try Outfits.write(from: source, to: temp.file("b"), options: options)
        options.seed = 6
        try Outfits.write(from: source, to: temp.file("c"), options: options)
        let a = try Self.files(under: temp.file("a"))
        #expect(a.count == 40 + 12 + 4)
        #expect(a == (try Self.files(under: temp.file("b"))))  // same seed: the same bytes
        #expect(a["train.csv"] != (try Self.files(under: temp.file("c")))["train.csv"])

        let outfits = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("a"), environment: [:]))
        #expect(outfits.isMultiLabel && outfits.classNames == source.classNames)
        #expect(outfits.train.shape == ImageShape(height: 56, width: 56, channels: 1))
        let cells = try String(contentsOf: temp.file("a/cells.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst().map { $0.split(separator: ",") }
        #expect(cells.count == 52)
        var empty = 0
        for row in cells {
            let split = row[0] == "train" ? source.train : source.test
            let outfit = Int(row[1])!
            let images = row[0] == "train" ? outfits.train : outfits.test
            let items = row[2...].map { Int($0)! }
            #expect(items.contains { $0 >= 0 })  // at least one item
            empty += items.filter { $0 < 0 }.count
            // Its tags are its items' classes; each filled cell is the item's pixels.
            let expected = Set(items.filter { $0 >= 0 }.map { Int(split.labels[$0]) })
            let tags = images.tags(at: outfit).enumerated().filter { $0.element != 0 }.map(\.offset)
            #expect(Set(tags) == expected)
            let picture = Array(images.image(at: outfit))
            for (cell, item) in items.enumerated() {
                let top = (cell / 2) * 28
                let left = (cell % 2) * 28
                var pixels = [UInt8]()
                for r in 0..<28 {
                    let start = (top + r) * 56 + left
                    pixels += picture[start..<(start + 28)]
                }
                #expect(pixels == (item >= 0 ? Array(split.image(at: item)) : [UInt8](repeating: 0, count: 784)))
            }
        }
        #expect(empty > 0 && empty < 52 * 4 / 2)
    }

    @Test func outfitsNeedTwentyEightPixelItems() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"), train: 8, test: 4)
        let tagged = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        #expect(throws: StudyError.self) { try Outfits.write(from: tagged, to: temp.file("o"), options: .init()) }
    }

    @Test func aTaggerTrainsChoosesThresholdsOnValidationAndIsJudgedOnTest() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"))
        let data = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        #expect(data.isMultiLabel && data.classNames == TagFixtures.tagNames)
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        var options = Tagging.options(
            TrainingOptions(
                epochs: 40, batchSize: 16, optimizer: OptimizerSpecification(kind: .adam, learningRate: 0.02)))
        options.keepBest = Monitor(Tagging.objective)
        let plan = TrainingPlan(
            kind: .study, name: "tagger", study: "s", architecture: Tagging.model(.dense([16, 8, 4])),
            options: options, seed: 3, validationSplit: 0.2, threads: 1, modelFile: temp.file("tagger.safetensors"),
            evaluatesOnTest: true)
        let outcome = try TrainingRun(plan, dataset: data).execute(store: store)
        let map = try #require(outcome.history.epochs.last?.metrics[Tagging.objective])
        #expect(map > 0.95)
        let tagging = try #require(outcome.testTagging)
        #expect(tagging.meanAveragePrecision > 0.95)
        #expect(outcome.test?.meanAveragePrecision == tagging.meanAveragePrecision)
        let thresholds = try #require(outcome.thresholds)
        #expect(thresholds.count == 4 && thresholds.allSatisfy { $0 > 0 && $0 < 1 })
        // The thresholds are those with the best F1 on the validation split, and the file keeps them.
        let run = try TrainingRun(plan, dataset: data)
        let validation = try #require(run.validation)
        let file = try ModelFile.read(from: temp.file("tagger.safetensors"))
        #expect(file.isMultiLabel && file.thresholds == thresholds)
        #expect(
            MultiLabelMetrics.bestThresholds(
                truth: validation.tags!, scores: Trainer.predict(file.model, on: validation), tagCount: 4)
                == thresholds)
        let stored = try #require(try store.runs().first)
        #expect(stored.finalMetrics["test_mean_average_precision"] == tagging.meanAveragePrecision)
        #expect(stored.finalMetrics["test_accuracy"] == tagging.subsetAccuracy)
    }

    @Test func aClassifierConfigurationCannotTrainOnTags() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"), train: 20, test: 4)
        let data = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        let plan = TrainingPlan(
            kind: .train, name: "wrong", architecture: .dense([16, 8, 4]), options: TrainingOptions(epochs: 1),
            seed: 1, validationSplit: 0, threads: 1)
        #expect {
            try TrainingRun(plan, dataset: data)
        } throws: { "\($0)".contains("the model must end in sigmoid") }
        // The trainer itself refuses a softmax loss on tagged data.
        let model = try Sequential(specification: Tagging.model(.dense([16, 8, 4])), seed: 1)
        #expect {
            try Trainer.fit(model, on: data.train, options: TrainingOptions(epochs: 1))
        } throws: { "\($0)".contains("multi-label data (4 tags an example) needs sigmoid_binary_cross_entropy") }
    }

    @Test func thePredictionsFileLetsAnyoneRecomputeTheMetrics() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"), train: 60, test: 30)
        let data = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        let model = try Sequential(specification: Tagging.model(.dense([16, 4])), seed: 2)
        _ = try Trainer.fit(model, on: data.train, options: Tagging.options(TrainingOptions(epochs: 5)))
        let thresholds: [Float] = [0.3, 0.5, 0.6, 0.4]
        try ModelFile(
            model: model, classNames: data.classNames, preprocessing: data.preprocessing, thresholds: thresholds
        )
        .write(to: temp.file("m.safetensors"))
        let result = try ModelEvaluation.run(
            modelFile: temp.file("m.safetensors"), images: data.test, source: "the test set",
            folder: temp.file("eval"), predictions: temp.file("p.csv"))
        let tagging = try #require(result.tagging)
        #expect(result.evaluation == nil && tagging.thresholds == thresholds)
        #expect(FileManager.default.fileExists(atPath: temp.file("eval/tags.png").path))
        let lines = try String(contentsOf: temp.file("p.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "index,labels,p_q0,p_q1,p_q2,p_q3")
        #expect(lines.count == 31)
        var truth = [UInt8]()
        var scores = [Float]()
        for (row, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[0] == "\(row)")
            let names = Set(fields[1].split(separator: "|").map(String.init))
            truth += data.classNames.map { names.contains($0) ? 1 : 0 }
            scores += fields[2...].map { Float(String($0))! }
        }
        #expect(truth == data.test.tags)
        let recomputed = MultiLabelMetrics(truth: truth, scores: scores, tagCount: 4, thresholds: thresholds)
        #expect(recomputed == tagging.metrics)
        #expect(
            tagging.missed.reduce(0, +) + tagging.invented.reduce(0, +)
                == Int((tagging.metrics.hammingLoss * 120).rounded()))
    }

    @Test func singleLabelModelsWriteTheirPredictionsToo() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let images = Fixtures.images(count: 12, classCount: 3)
        let model = try Sequential(specification: .dense([16, 3]), seed: 1)
        try ModelFile(
            model: model, classNames: ["a", "b, c", "d"], preprocessing: .init(image: images.shape)
        ).write(to: temp.file("m.safetensors"))
        let result = try ModelEvaluation.run(
            modelFile: temp.file("m.safetensors"), images: images, source: "fixture", folder: temp.file("eval"),
            predictions: temp.file("p.csv"))
        let lines = try String(contentsOf: temp.file("p.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "index,label,p_a,\"p_b, c\",p_d")
        let probabilities = Trainer.predict(model, on: images)
        var correct = 0
        for (row, line) in lines.dropFirst().enumerated() {
            let fields = Array(line.split(separator: ",").suffix(3)).map { Float(String($0))! }
            #expect(fields == Array(probabilities[(row * 3)..<(row * 3 + 3)]))
            let label = ["a", "b, c", "d"].firstIndex { line.contains(",\(Manifest.field($0)),") }
            if label == fields.indices.max(by: { fields[$0] < fields[$1] }) { correct += 1 }
        }
        #expect(lines.count == 13)
        #expect(Double(correct) / 12 == result.evaluation?.accuracy)
    }

    @Test func aStudyOfTaggersReportsTheirTags() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try TagFixtures.writeQuadrants(to: temp.file("tags"))
        let data = try Dataset.load(from: DatasetLocator.locate(explicit: temp.file("tags"), environment: [:]))
        try """
        {"name": "taggers", "validationSplit": 0.2, "seeds": [1, 2],
         "models": [
           {"name": "linear", "architecture": {"inputSize": 16, "layers": [{"kind": "dense", "units": 4},
             {"kind": "sigmoid"}]}, "training": {"epochs": 10, "optimizer": {"kind": "adam", "learningRate": 0.05}}},
           {"name": "hidden", "architecture": {"inputSize": 16, "layers": [{"kind": "dense", "units": 8},
             {"kind": "relu"}, {"kind": "dense", "units": 4}, {"kind": "sigmoid"}]},
            "training": {"epochs": 20, "batchSize": 16, "optimizer": {"kind": "adam", "learningRate": 0.02}}}
         ]}
        """.write(to: temp.file("taggers.json"), atomically: true, encoding: .utf8)
        let experiment = try Experiment.read(from: temp.file("taggers.json"))
        let out = temp.file("run")
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        let result = try StudyRunner.run(
            experiment, dataset: data, seeds: experiment.seeds, threads: 1, folder: out, store: store)
        #expect(result.isTagging)
        for model in result.models {
            let tagging = try #require(model.tagging)
            #expect(model.evaluation == nil)
            #expect(model.runs.allSatisfy { $0.testMeanAveragePrecision != nil })
            #expect(model.meanAccuracy == model.runs.map(\.headline).reduce(0, +) / 2)
            #expect(model.runs[0].testMeanAveragePrecision == tagging.metrics.meanAveragePrecision)
            let file = try ModelFile.read(from: out.appendingPathComponent("\(model.name)/model.safetensors"))
            #expect(tagging.thresholds == file.decisionThresholds && file.thresholds != nil)
        }
        #expect(result.models.allSatisfy { $0.meanAccuracy > 0.9 })
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| model | architecture | parameters | epochs | test mAP (mean ± sd) |"))
        #expect(markdown.contains("Test mean average precision per seed: 1: "))
        #expect(markdown.contains("precision  recall      f1      AP  threshold  support  missed  extra"))
        #expect(markdown.contains("### F1 per tag"))
        #expect(markdown.contains("each run evaluated once on the 40 test images"))
        #expect(StudyReport(result: result).summary.contains("is the best tagger here: "))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("hidden/tags.png").path))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Validation map by epoch") || html.contains("validation mean average precision"))
        let reloaded = try JSONDecoder().decode(
            StudyResult.self, from: Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect(reloaded.isTagging && reloaded.models[1].tagging?.metrics == result.models[1].tagging?.metrics)
        let stored = try store.runs()
        #expect(stored.count == 4 && stored.allSatisfy { $0.finalMetrics["test_mean_average_precision"] != nil })
    }
}
