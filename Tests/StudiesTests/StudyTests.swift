import ClassificationMetrics
import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Reports
import Studies
import Testing
import _SQLiteStore
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct StudyTests {
    /// Three classes of 4x4 images that differ in which rows are bright, with noise.
    func dataset(in folder: URL) throws -> Dataset {
        var generator = SeededGenerator(seed: 1)
        func images(_ count: Int) -> LabeledImages {
            var pixels = [UInt8]()
            var labels = [UInt8]()
            for i in 0..<count {
                let label = i % 3
                for p in 0..<16 {
                    pixels.append(UInt8(min(255, (p / 4 == label ? 180 : 20) + generator.nextIndex(below: 60))))
                }
                labels.append(UInt8(label))
            }
            return LabeledImages(pixels: pixels, labels: labels, rows: 4, columns: 4)
        }
        try Fixtures.writeIDXFolder(folder, train: images(300), test: images(60))
        try "low\nmiddle\nhigh\n".write(
            to: folder.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        return try Dataset.load(from: DatasetLocator.locate(explicit: folder, environment: [:]))
    }

    @Test func aSmallStudyRunsEndToEnd() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try dataset(in: temp.file("data"))
        let experimentFile = temp.file("tiny.json")
        try """
        {"name": "tiny", "validationSplit": 0.2, "seeds": [1, 2],
         "models": [
           {"name": "small", "architecture": {"inputSize": 16, "layers": [{"kind": "dense", "units": 3}, {"kind": \
           "softmax"}]},
            "training": {"epochs": 3, "optimizer": {"kind": "adam", "learningRate": 0.01}}, "seedCount": 1},
           {"name": "wide", "architecture": {"inputSize": 16, "layers": [{"kind": "dense", "units": 16}, {"kind": \
           "relu"},
            {"kind": "dense", "units": 3}, {"kind": "softmax"}]}, "training": {"epochs": 6, "optimizer": {"kind": \
            "adam", "learningRate": 0.01}}}
         ]}
        """.write(to: experimentFile, atomically: true, encoding: .utf8)
        let experiment = try Experiment.read(from: experimentFile)
        let out = temp.file("run")
        let store = try SQLiteRunStore(url: temp.file("store.sqlite"))
        let result = try StudyRunner.run(
            experiment, dataset: data, seeds: experiment.seeds, threads: 1, parallelRuns: 2, folder: out, store: store)
        // Each run went through the one training pipeline and is recorded with its test accuracy.
        let runs = try store.runs()
        #expect(
            runs.count == 3 && runs.allSatisfy { $0.kind == "study" && $0.study == "tiny" && $0.status == "finished" })
        #expect(
            Set(runs.compactMap { $0.finalMetrics["test_accuracy"] })
                == Set(result.models.flatMap { $0.runs.map(\.testAccuracy) }))
        // The same study one run at a time gives the same numbers.
        let serial = try StudyRunner.run(
            experiment, dataset: data, seeds: experiment.seeds, threads: 1, parallelRuns: 1, folder: temp.file("serial")
        )
        #expect(serial.models.map { $0.runs.map(\.testAccuracy) } == result.models.map { $0.runs.map(\.testAccuracy) })
        #expect(
            serial.models.map { $0.runs.map(\.history.epochs.last?.loss) }
                == result.models.map { $0.runs.map(\.history.epochs.last?.loss) })
        #expect(result.models.map(\.name) == ["small", "wide"])
        #expect(result.models.map(\.runs.count) == [1, 2], "small runs its first seed only")
        #expect(result.models.allSatisfy { $0.meanAccuracy > 0.8 })
        for file in [
            "report.md", "report.html", "metrics.json", "small/model.safetensors", "wide/confusion.png",
            "wide/curves.png",
        ] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let picture = try PNGDecoder.decode(
            [UInt8](Data(contentsOf: out.appendingPathComponent("wide/predictions.png"))), path: "p")
        #expect(picture.width > 100)
        let reloaded = try JSONDecoder().decode(
            StudyResult.self, from: Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect(reloaded.models[1].evaluation?.report == result.models[1].evaluation?.report)
        #expect(reloaded.models[1].evaluation != nil && !reloaded.isTagging)
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| small | 16-3 | 51 | 3 |"))
        #expect(markdown.contains("precision    recall  f1-score   support"))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        // Image grids inline as PNG; charts as SVG with their labels as text.
        #expect(html.contains("<img alt=\"wide mistakes\" src=\"data:image/png;base64,"))
        #expect(html.contains("<title id=\"wide-confusion-title\">wide: confusion matrix on the test set</title>"))
        #expect(!html.contains("src=\"wide/"))  // self-contained
        // The model file of the first seed predicts as the study measured.
        let model = try ModelFile.read(from: out.appendingPathComponent("wide/model.safetensors"))
        let predictions = ProbabilityMetrics.predictions(Trainer.predict(model.model, on: data.test), classCount: 3)
        let accuracy = Double(zip(predictions, data.test.labels).filter { $0 == Int($1) }.count) / 60
        #expect(accuracy == result.models[1].runs[0].testAccuracy)
    }

    @Test func badExperimentFilesAreExplained() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        func error(_ text: String) throws -> String {
            let file = temp.file("e.json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            do {
                _ = try Experiment.read(from: file)
                return "no error"
            } catch { return error.description }
        }
        #expect(try error("{}").contains("missing field 'name'"))
        #expect(
            try error(
                #"{"name": "x", "validationSplit": 0.1, "seeds": [1], "models": [{"name": "m", "preset": "model7"}]}"#
            )
            .contains(
                "model 'm': unknown preset 'model7'; known: model1, model2, model3, cnn-reference, strong-mlp, "
                    + "cnn-small, cnn-best"
            ))
        #expect(
            try error(
                #"{"name": "x", "validationSplit": 1.5, "seeds": [1], "models": [{"name": "m", "preset": "model1"}]}"#
            )
            .contains("'validationSplit' must be in [0, 1), found 1.5"))
        #expect(
            try error(#"{"name": "x", "validationSplit": 0, "seeds": [1], "models": [{"name": "m"}]}"#)
                .contains("model 'm' needs a 'preset' or an 'architecture'"))
        #expect(
            try error(
                #"{"name": "x", "validationSplit": 0, "seeds": [1], "models": [{"name": "m", "preset": "model1","#
                    + #" "seedCount": 0}]}"#
            )
            .contains("model 'm': 'seedCount' must be at least 1, found 0"))
        #expect(try error("not json").hasPrefix(temp.file("e.json").path + ": not a valid experiment file"))
    }

    @Test func theSeedStudyFileDescribesTheStudy() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("experiments/seed-study.json")
        let experiment = try Experiment.read(from: file)
        let resolved = try experiment.models.map { try experiment.resolve($0) }
        #expect(resolved.map { $0.0.compact } == ["784-64-10", "784-64-10", "784-128-64-10"])
        #expect(resolved.map { $0.1.epochs } == [10, 30, 30])
        #expect(
            resolved.allSatisfy {
                $0.1.optimizer.kind == .adam && $0.1.optimizer.learningRate == 0.001 && $0.1.batchSize == 32
            })
    }
}

/// The HTML report in a real browser (Debian's chromium, which `make test` installs).
@Suite(.timeLimit(.minutes(10))) struct ReportInBrowserTests {
    @Test func headlessChromiumLoadsTheReportAndShowsItsSections() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let browser = try #require(chromium, "chromium is missing: run `make test`, which installs Debian's chromium")
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try StudyTests().dataset(in: temp.file("data"))
        let experiment = Experiment(
            name: "browser", description: "A tiny study for the browser check.", validationSplit: 0.2, seeds: [1],
            models: [.init(name: "tiny", architecture: .dense([16, 3]), training: TrainingOptions(epochs: 2))])
        let out = temp.file("run")
        _ = try StudyRunner.run(experiment, dataset: data, seeds: [1], threads: 1, folder: out)
        let page = "file://" + out.appendingPathComponent("report.html").path
        let common = [
            "/usr/bin/timeout", "120", browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--user-data-dir=\(temp.file("profile").path)",
        ]

        let dom = try await CommandRunner.run(
            URL(fileURLWithPath: common[0]), Array(common.dropFirst()) + ["--dump-dom", page])
        #expect(dom.status == 0, Comment(rawValue: dom.standardError))
        #expect(dom.standardOutput.contains("<h2>Comparison</h2>"))
        #expect(dom.standardOutput.contains("<section id=\"model-tiny\"><h2>tiny</h2>"))
        // Pictures: predictions, mistakes, their explanations, weights; charts (SVG): the four of the
        // comparison (one model: no confusion difference), then the model's curves (two), confusion
        // and calibration.
        #expect(dom.standardOutput.components(separatedBy: "<img ").count - 1 == 4)
        #expect(dom.standardOutput.components(separatedBy: "<svg ").count - 1 == 8)

        let screenshot = temp.file("page.png")
        let shot = try await CommandRunner.run(
            URL(fileURLWithPath: common[0]),
            Array(common.dropFirst()) + ["--window-size=1000,1400", "--screenshot=\(screenshot.path)", page])
        #expect(shot.status == 0, Comment(rawValue: shot.standardError))
        let image = try PNGDecoder.decode([UInt8](Data(contentsOf: screenshot)), path: screenshot.path)
        #expect(image.width == 1000 && image.height == 1400)
        // The page shows something: many distinct colours, not a blank or error page.
        var colours = Set<UInt32>()
        for i in stride(from: 0, to: image.pixels.count - 2, by: image.channels * 97) {
            colours.insert(
                UInt32(image.pixels[i]) << 16 | UInt32(image.pixels[i + 1]) << 8 | UInt32(image.pixels[i + 2]))
        }
        #expect(colours.count > 20)
    }
}

/// The report a person reads, rendered from a committed study result (the seed study's
/// metrics.json from a real run): any change to the report's text shows here as a diff.
@Suite(.timeLimit(.minutes(10))) struct StudyReportGoldenTests {
    @Test func theSeedStudysReportReadsAsRecorded() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/seed-study-metrics.json")
        let result = try JSONDecoder().decode(StudyResult.self, from: Data(contentsOf: fixture))
        #expect(result.models.map(\.name) == ["model1", "model2", "model3"])
        let report = StudyReport(result: result)
        if let failure = Golden.check(report.markdown, named: "seed-study-report.md") {
            Issue.record(Comment(rawValue: failure))
        }
        if let failure = Golden.check(report.summary, named: "seed-study-summary") {
            Issue.record(Comment(rawValue: failure))
        }
        // One chart's SVG, as a person's browser gets it.
        let bars = StudyComparison(result: result).charts.first { $0.name == "per-class-f1" }
        if let failure = Golden.check(bars?.svg ?? "", named: "comparison-per-class-f1.svg") {
            Issue.record(Comment(rawValue: failure))
        }
    }
}

/// The report's comparison charts as a browser draws them (headless Chromium through
/// selenium); the screenshot stays in `.build/test-artifacts/study-report.png`.
@Suite(.timeLimit(.minutes(10))) struct ReportChartsInBrowserTests {
    static var hasBrowser: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && (try? CommandRunner.runBlocking(
                URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import selenium"]))?
                .status == 0
    }

    @Test(.enabled(if: hasBrowser, "headless Chromium, chromium-driver and selenium are missing: run `make test`"))
    func everyComparisonChartIsDrawnOnTheFirstScreen() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = try StudyTests().dataset(in: temp.file("data"))
        let experiment = Experiment(
            name: "charts", description: "Two tiny models for the chart check.", validationSplit: 0.2, seeds: [1, 2],
            models: [
                .init(name: "small", architecture: .dense([16, 3]), training: TrainingOptions(epochs: 3)),
                .init(name: "wider", architecture: .dense([16, 12, 3]), training: TrainingOptions(epochs: 4)),
            ])
        let out = temp.file("run")
        _ = try StudyRunner.run(experiment, dataset: data, seeds: [1, 2], threads: 1, folder: out)
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let artifacts = package.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("study-report.png")
        let result = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", package.appendingPathComponent("Scripts/check_report_page.py").path,
                out.appendingPathComponent("report.html").path, screenshot.path,
            ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let seen = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let all = try #require(seen["charts"] as? [[String: Any]])
        // The comparison's five, then each model's four (curves of loss and accuracy, confusion, calibration).
        #expect(all.count == 5 + 2 * 4)
        for chart in all {
            let marks = chart["marks"] as? Int ?? 0
            #expect(marks > 0 && chart["drawn"] as? Int == marks, "\(chart["title"] ?? ""): every mark is drawn")
            #expect((chart["width"] as? Double ?? 0) > 100 && (chart["height"] as? Double ?? 0) > 100)
            #expect((chart["texts"] as? [String])?.count ?? 0 > 3, "labels as text")
        }
        let charts = all.filter { ($0["id"] as? String)?.hasPrefix("chart-") == true }
        #expect(
            charts.map { $0["id"] as? String } == [
                "chart-curves-accuracy", "chart-curves-loss", "chart-test-accuracy", "chart-per-class-f1",
                "chart-confusion-difference",
            ])
        for chart in charts {
            let name = chart["id"] as? String ?? ""
            #expect((chart["width"] as? Double ?? 0) > 100 && (chart["height"] as? Double ?? 0) > 100, "\(name)")
            let marks = chart["marks"] as? Int ?? 0
            #expect(marks > 0 && chart["drawn"] as? Int == marks, "\(name): every mark has a size on screen")
            #expect((chart["title"] as? String)?.isEmpty == false, "\(name)")
            #expect(
                (chart["texts"] as? [String])?.contains { $0 == "small" || $0 == "wider" } == true
                    || name.contains("confusion"))
        }
        // The comparison is on the first screen (1000 pixels high).
        #expect((charts.first?["top"] as? Double ?? 9999) < 1000)
        // Each chart is a file beside the report too.
        for name in ["curves-accuracy", "curves-loss", "test-accuracy", "per-class-f1", "confusion-difference"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("comparison-\(name).svg").path))
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("### F1 per class") && markdown.contains("(comparison-per-class-f1.svg)"))
    }
}
