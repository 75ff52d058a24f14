import ClassificationMetrics
import Foundation
import Reports
import _Files

/// The study's report: report.md (Markdown, pictures beside it), report.html (one
/// self-contained file, pictures inline) and metrics.json (every number, to rebuild either).
public struct StudyReport {
    public let result: StudyResult

    public init(result: StudyResult) { self.result = result }

    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](encoder.encode(result)), to: folder.appendingPathComponent("metrics.json"))
        for chart in StudyComparison(result: result).charts {
            try AtomicFile.write(text: chart.svg, to: folder.appendingPathComponent(chart.file))
        }
        try AtomicFile.write(text: markdown, to: folder.appendingPathComponent("report.md"))
        try AtomicFile.write(text: html(folder: folder), to: folder.appendingPathComponent("report.html"))
    }

    var best: StudyResult.ModelResult? { result.models.max { $0.meanAccuracy < $1.meanAccuracy } }

    /// Two or three sentences a person can read without the tables.
    public var summary: String {
        guard let best else { return "" }
        var text = "\(best.name) is the best model here: \(Self.accuracy(best, counted: true)) test accuracy"
        let others = result.models.filter { $0.name != best.name }
        if !others.isEmpty {
            text +=
                " (" + others.map { String(format: "%@ %.4f", $0.name, $0.meanAccuracy) }.joined(separator: ", ") + ")"
        }
        text += ". "
        let names = best.evaluation.report.classNames
        let worst = best.evaluation.report.worstClass
        text += String(format: "Its hardest class is %@ (F1 %.2f)", names[worst.index], worst.f1)
        let pairs = best.evaluation.confusion.mostConfused(top: 3)
        if !pairs.isEmpty {
            text +=
                "; the most confused pairs are "
                + pairs.map { "\(names[$0.trueClass]) taken for \(names[$0.predicted]) (\($0.count))" }
                .joined(separator: ", ")
        }
        return text + "."
    }

    /// The mean and spread over the seeds (and how many, when `counted`), or the one value
    /// and "(1 seed)".
    static func accuracy(_ model: StudyResult.ModelResult, counted: Bool = false) -> String {
        if model.runs.count < 2 { return String(format: "%.4f (1 seed)", model.meanAccuracy) }
        return String(format: "%.4f ± %.4f", model.meanAccuracy, model.accuracyStandardDeviation)
            + (counted ? " over \(model.runs.count) seeds" : "")
    }

    var comparisonRows: [[String]] {
        result.models.map { m in
            let worst = m.evaluation.report.worstClass
            return [
                m.name, m.architecture, "\(m.parameters)", "\(m.epochs)",
                Self.accuracy(m),
                String(format: "%.4f", m.evaluation.report.macroAverage.precision),
                String(format: "%.4f", m.evaluation.report.macroAverage.recall),
                String(format: "%.4f", m.evaluation.report.macroAverage.f1),
                String(format: "%@ (%.2f)", m.evaluation.report.classNames[worst.index], worst.f1),
                String(format: "%.1f", m.runs.reduce(0) { $0 + $1.trainingSeconds } / Double(max(1, m.runs.count))),
                String(format: "%.3f", m.meanSecondsPerEpoch),
            ]
        }
    }

    static let comparisonHeader = [
        "model", "architecture", "parameters", "epochs", "test accuracy (mean ± sd)", "macro precision",
        "macro recall", "macro F1", "worst class (F1)", "training s", "s / epoch",
    ]

    var setting: String {
        let split =
            result.validationSplit > 0
            ? String(
                format: "%.0f%% of the training set held out for validation (stratified)", result.validationSplit * 100)
            : "no validation split"
        return "Data: \(result.dataset); \(split); each run evaluated once on the 10,000 test images. "
            + "Seeds: \(result.seeds.map(String.init).joined(separator: ", ")). \(result.parallelRuns) run(s) at "
            + "once, \(result.threads) thread(s) each. "
            + String(format: "Wall time of the study: %.1f s.", result.totalSeconds)
    }

    public var markdown: String {
        var md = "# \(result.name)\n\n\(result.description)\n\n\(setting)\n\n## Comparison\n\n"
        md += "| " + Self.comparisonHeader.joined(separator: " | ") + " |\n"
        md += "|" + Self.comparisonHeader.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in comparisonRows { md += "| " + row.joined(separator: " | ") + " |\n" }
        md += "\n\(summary)\n\n"
        md += StudyComparison(result: result).markdown
        for m in result.models {
            md += "\n## \(m.name)\n\n"
            md +=
                "\(m.architecture), \(m.parameters) parameters; \(m.epochs) epochs, batch \(m.training.batchSize), "
                + "\(m.training.optimizer.kind.rawValue) \(m.training.optimizer.learningRate). "
            md +=
                "Test accuracy per seed: "
                + m.runs.map { String(format: "%llu: %.4f", $0.seed, $0.testAccuracy) }.joined(separator: ", ")
                + ".\n\n"
            md += "```\n\(m.summary)\n```\n\n"
            md += "Details below are for seed \(m.runs.first?.seed ?? 0). "
            md += String(
                format: "Top-2 accuracy %.4f, log loss %.4f, expected calibration error (15 bins) %.4f.\n\n",
                m.evaluation.top2Accuracy, m.evaluation.logLoss, m.evaluation.expectedCalibrationError)
            md += "```\n" + m.evaluation.report.text(digits: 4) + "```\n\n"
            let names = m.evaluation.report.classNames
            md +=
                "Most confused: "
                + m.evaluation.confusion.mostConfused(top: 5).map {
                    "\(names[$0.trueClass]) → \(names[$0.predicted]) (\($0.count))"
                }.joined(separator: "; ") + ".\n\n"
            for key in Evaluation.pictureOrder {
                if let file = m.evaluation.pictures[key] { md += "![\(m.name) \(key)](\(m.name)/\(file))\n\n" }
            }
        }
        return md
    }

    func html(folder: URL) -> String {
        let escape = HTML.escape
        func image(_ model: String, _ file: String, _ alt: String) -> String {
            let url = folder.appendingPathComponent(model).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
            return
                "<figure><img alt=\"\(escape(alt))\" "
                + "src=\"data:image/png;base64,\(data.base64EncodedString())\"></figure>\n"
        }
        let style =
            "img { max-width: 100%; } figure { margin: 1em 0; } .summary { font-size: 1.1em; } "
            + ".charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts figure { margin: 0; } "
            + ".charts svg { max-width: 100%; height: auto; border: 1px solid #e3e6eb; } "
            + "figcaption { font-size: 0.85em; color: #555; } .charts figcaption { width: 0; min-width: 100%; }"
        var h =
            HTML.pageStart(title: result.name, style: style) + """
                <h1>\(escape(result.name))</h1>
                <p class="summary">\(escape(summary))</p>
                <section id="comparison"><h2>Comparison</h2>
                <div class="charts">

                """
        for chart in StudyComparison(result: result).charts {
            h +=
                "<figure id=\"chart-\(chart.name)\">\(chart.svg)"
                + "<figcaption>\(escape(chart.caption))</figcaption></figure>\n"
        }
        h += """
            </div>
            <p>\(escape(result.description))</p>
            <p>\(escape(setting))</p>
            <table><tr>\(Self.comparisonHeader.map { "<th>\(escape($0))</th>" }.joined())</tr>

            """
        for row in comparisonRows { h += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
        h += "</table></section>\n"
        for m in result.models {
            h += "<section id=\"model-\(escape(m.name))\"><h2>\(escape(m.name))</h2>\n"
            h +=
                "<p>\(escape(m.architecture)), \(m.parameters) parameters; \(m.epochs) epochs. Test accuracy per seed: "
                + escape(m.runs.map { String(format: "%llu: %.4f", $0.seed, $0.testAccuracy) }.joined(separator: ", "))
                + ".</p>\n"
            h += "<pre>\(escape(m.summary))</pre>\n"
            h += String(
                format: "<p>Top-2 accuracy %.4f, log loss %.4f, expected calibration error %.4f.</p>\n",
                m.evaluation.top2Accuracy, m.evaluation.logLoss, m.evaluation.expectedCalibrationError)
            h += "<pre>\(escape(m.evaluation.report.text(digits: 4)))</pre>\n"
            for key in Evaluation.pictureOrder {
                if let chart = ModelCharts.svg(key, model: m) {
                    h += "<figure class=\"charts\">\(chart)</figure>\n"
                } else if let file = m.evaluation.pictures[key] {
                    h += image(m.name, file, "\(m.name) \(key)")
                }
            }
            h += "</section>\n"
        }
        return h + "</body></html>\n"
    }
}
