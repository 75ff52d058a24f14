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
        var text =
            "\(best.name) is the best \(result.isTagging ? "tagger" : "model") here: "
            + "\(Self.accuracy(best, counted: true)) \(result.headlineName)"
        let others = result.models.filter { $0.name != best.name }
        if !others.isEmpty {
            text +=
                " (" + others.map { String(format: "%@ %.4f", $0.name, $0.meanAccuracy) }.joined(separator: ", ") + ")"
        }
        text += ". "
        let names = best.classNames
        if let tagging = best.tagging, let worst = best.worstClass {
            text += String(format: "Its hardest tag is %@ (F1 %.2f)", names[worst.index], worst.f1)
            let missed = tagging.missed.enumerated().max { $0.element < $1.element }
            let invented = tagging.invented.enumerated().max { $0.element < $1.element }
            if let missed, let invented, missed.element + invented.element > 0 {
                text +=
                    "; the tag most often missed is \(names[missed.offset]) (\(missed.element)), the one most often "
                    + "invented \(names[invented.offset]) (\(invented.element))"
            }
            return text + "."
        }
        guard let evaluation = best.evaluation else { return text }
        let worst = evaluation.report.worstClass
        text += String(format: "Its hardest class is %@ (F1 %.2f)", names[worst.index], worst.f1)
        let pairs = evaluation.confusion.mostConfused(top: 3)
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
            let worst = m.worstClass.map { String(format: "%@ (%.2f)", m.classNames[$0.index], $0.f1) } ?? ""
            let middle: [String]
            if let tagging = m.tagging {
                middle = [tagging.metrics.subsetAccuracy, tagging.metrics.microF1, tagging.metrics.macroF1].map {
                    String(format: "%.4f", $0)
                }
            } else if let evaluation = m.evaluation {
                let macro = evaluation.report.macroAverage
                middle = [macro.precision, macro.recall, macro.f1].map { String(format: "%.4f", $0) }
            } else {
                middle = ["", "", ""]
            }
            return [m.name, m.architecture, "\(m.parameters)", "\(m.epochs)", Self.accuracy(m)] + middle + [
                worst,
                String(format: "%.1f", m.runs.reduce(0) { $0 + $1.trainingSeconds } / Double(max(1, m.runs.count))),
                String(format: "%.3f", m.meanSecondsPerEpoch),
            ]
        }
    }

    static let comparisonHeader = [
        "model", "architecture", "parameters", "epochs", "test accuracy (mean ± sd)", "macro precision",
        "macro recall", "macro F1", "worst class (F1)", "training s", "s / epoch",
    ]

    static let taggingHeader = [
        "model", "architecture", "parameters", "epochs", "test mAP (mean ± sd)", "subset accuracy", "micro F1",
        "macro F1", "worst tag (F1)", "training s", "s / epoch",
    ]

    var header: [String] { result.isTagging ? Self.taggingHeader : Self.comparisonHeader }

    /// A model's first-seed details as text: a classifier's metrics and report, or a tagger's table.
    static func details(_ m: StudyResult.ModelResult) -> (line: String, table: String) {
        if let tagging = m.tagging { return ("", tagging.text + "\n") }
        guard let evaluation = m.evaluation else { return ("", "") }
        return (
            String(
                format: "Top-2 accuracy %.4f, log loss %.4f, expected calibration error (15 bins) %.4f.",
                evaluation.top2Accuracy, evaluation.logLoss, evaluation.expectedCalibrationError),
            evaluation.report.text(digits: 4)
        )
    }

    /// 10000 as "10,000".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        return String(
            digits.enumerated().flatMap { i, d in (i > 0 && (digits.count - i) % 3 == 0) ? [",", d] : [d] })
    }

    static func pictureOrder(_ m: StudyResult.ModelResult) -> [String] {
        m.tagging == nil ? Evaluation.pictureOrder : ["curves"] + TagEvaluation.pictureOrder
    }

    var setting: String {
        let split =
            result.validationSplit > 0
            ? String(
                format: "%.0f%% of the training set held out for validation (stratified)", result.validationSplit * 100)
            : "no validation split"
        let images = result.models.first.map { m in
            m.tagging?.metrics.count ?? m.evaluation?.report.perClass.reduce(0) { $0 + $1.support } ?? 0
        }
        let counted = images.map { Self.grouped($0) + " test images" } ?? "test set"
        return "Data: \(result.dataset); \(split); each run evaluated once on the \(counted). "
            + "Seeds: \(result.seeds.map(String.init).joined(separator: ", ")). \(result.parallelRuns) run(s) at "
            + "once, \(result.threads) thread(s) each. "
            + String(format: "Wall time of the study: %.1f s.", result.totalSeconds)
    }

    public var markdown: String {
        var md = "# \(result.name)\n\n\(result.description)\n\n\(setting)\n\n## Comparison\n\n"
        md += "| " + header.joined(separator: " | ") + " |\n"
        md += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in comparisonRows { md += "| " + row.joined(separator: " | ") + " |\n" }
        md += "\n\(summary)\n\n"
        md += StudyComparison(result: result).markdown
        for m in result.models {
            md += "\n## \(m.name)\n\n"
            md +=
                "\(m.architecture), \(m.parameters) parameters; \(m.epochs) epochs, batch \(m.training.batchSize), "
                + "\(m.training.optimizer.kind.rawValue) \(m.training.optimizer.learningRate). "
            md +=
                "\(result.headlineName.prefix(1).uppercased() + result.headlineName.dropFirst()) per seed: "
                + m.runs.map { String(format: "%llu: %.4f", $0.seed, $0.headline) }.joined(separator: ", ")
                + ".\n\n"
            md += "```\n\(m.summary)\n```\n\n"
            md += "Details below are for seed \(m.runs.first?.seed ?? 0). "
            let details = Self.details(m)
            md += details.line + "\n\n"
            md += "```\n" + details.table + "```\n\n"
            if let evaluation = m.evaluation {
                let names = evaluation.report.classNames
                md +=
                    "Most confused: "
                    + evaluation.confusion.mostConfused(top: 5).map {
                        "\(names[$0.trueClass]) → \(names[$0.predicted]) (\($0.count))"
                    }.joined(separator: "; ") + ".\n\n"
            }
            for key in Self.pictureOrder(m) {
                if let file = m.pictures[key] { md += "![\(m.name) \(key)](\(m.name)/\(file))\n\n" }
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
            <table><tr>\(header.map { "<th>\(escape($0))</th>" }.joined())</tr>

            """
        for row in comparisonRows { h += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
        h += "</table></section>\n"
        for m in result.models {
            h += "<section id=\"model-\(escape(m.name))\"><h2>\(escape(m.name))</h2>\n"
            h +=
                "<p>\(escape(m.architecture)), \(m.parameters) parameters; \(m.epochs) epochs. "
                + "\(result.headlineName.prefix(1).uppercased() + result.headlineName.dropFirst()) per seed: "
                + escape(m.runs.map { String(format: "%llu: %.4f", $0.seed, $0.headline) }.joined(separator: ", "))
                + ".</p>\n"
            h += "<pre>\(escape(m.summary))</pre>\n"
            let details = Self.details(m)
            if !details.line.isEmpty { h += "<p>\(escape(details.line))</p>\n" }
            h += "<pre>\(escape(details.table))</pre>\n"
            for key in Self.pictureOrder(m) {
                if let chart = ModelCharts.svg(key, model: m) {
                    h += "<figure class=\"charts\">\(chart)</figure>\n"
                } else if let file = m.pictures[key] {
                    h += image(m.name, file, "\(m.name) \(key)")
                }
            }
            h += "</section>\n"
        }
        return h + "</body></html>\n"
    }
}
