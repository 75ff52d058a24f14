import ClassificationMetrics
import Foundation
import NeuralNet
import Reports

/// The study's models compared in pictures: every model's validation curves on one chart
/// (the mean over seeds as a line, their spread as a band), per-class F1 as grouped bars,
/// test accuracy with each seed's point, and which confusions the best model fixed over the
/// first. Each chart is inline SVG for report.html and a file `comparison-<name>.svg`.
public struct StudyComparison {
    /// One chart of the comparison: its name, caption and SVG text.
    public struct Chart {
        public let name: String
        public let caption: String
        public let svg: String

        public var file: String { "comparison-\(name).svg" }
    }

    public let result: StudyResult

    public init(result: StudyResult) { self.result = result }

    var models: [StudyResult.ModelResult] { result.models }
    var best: StudyResult.ModelResult? { models.max { $0.meanAccuracy < $1.meanAccuracy } }

    public var charts: [Chart] {
        var charts = [Chart]()
        let curves =
            result.isTagging
            ? [
                (EpochRecord.Name.validationMeanAveragePrecision, "validation mean average precision", "map"),
                ("val_loss", "validation loss", "loss"),
            ]
            : [("val_accuracy", "validation accuracy", "accuracy"), ("val_loss", "validation loss", "loss")]
        for (metric, label, name) in curves {
            let series = models.enumerated().compactMap { index, model in curve(model, metric: metric, colour: index) }
            guard !series.isEmpty else { continue }
            let chart = LineChartSVG(
                id: "curves-\(name)", title: "Validation \(name) by epoch",
                description:
                    "One line a model: the mean over its seeds; the band spans the lowest and highest seed. "
                    + series.map { "\($0.name) ends at \(String(format: "%.4f", $0.points.last?.y ?? .nan))" }
                    .joined(separator: "; ") + ".",
                xLabel: "epoch", yLabel: label, series: series, width: 330, height: 270)
            charts.append(
                Chart(
                    name: "curves-\(name)", caption: "Validation \(name) of every model (band: the spread over seeds).",
                    svg: chart.svg))
        }
        let headline = result.headlineName
        let dots = DotChartSVG(
            id: "test-accuracy", title: "\(headline.prefix(1).uppercased() + headline.dropFirst()) per model",
            description: models.map {
                "\($0.name): " + $0.runs.map { String(format: "%.4f", $0.headline) }.joined(separator: ", ")
            }.joined(separator: "; "),
            yLabel: headline, rows: models.map { ($0.name, $0.runs.map(\.headline)) }, width: 280,
            height: 270)
        charts.append(
            Chart(
                name: "test-accuracy", caption: "Each seed's \(headline) (dots) and their mean (bar).", svg: dots.svg)
        )
        if let classNames = models.first?.classNames, !classNames.isEmpty {
            let groups = models.enumerated().map { index, model in
                BarChartSVG.Group(name: model.name, colour: SVGChart.colour(index), values: model.perClassF1)
            }
            let hardest = best.flatMap { b in b.worstClass.map { classNames[$0.index] } } ?? ""
            let kind = result.isTagging ? "tag" : "class"
            let bars = BarChartSVG(
                id: "per-class-f1", title: "F1 per \(kind) (first seed of each model)",
                description:
                    "Grouped bars, one group a \(kind), one bar a model. The hardest \(kind) for the best model: "
                    + "\(hardest).",
                yLabel: "F1", categories: classNames.map { String($0.prefix(11)) }, groups: groups)
            charts.append(Chart(name: "per-class-f1", caption: "F1 of every \(kind) for every model.", svg: bars.svg))
        }
        if let difference = confusionDifference, let best, let first = models.first,
            let firstEvaluation = first.evaluation
        {
            let matrix = MatrixChartSVG(
                id: "confusion-difference", title: "\(best.name) minus \(first.name): test-set confusion counts",
                description:
                    "Blue: better (fewer images taken for a wrong class, or more taken for the right one); "
                    + "orange: worse.",
                labels: firstEvaluation.report.classNames, values: difference,
                colouring: .signed(better: { row, column, value in row == column ? value > 0 : value < 0 }))
            charts.append(
                Chart(
                    name: "confusion-difference",
                    caption:
                        "What \(best.name) fixed over \(first.name) (blue) and what it broke (orange), first seeds.",
                    svg: matrix.svg))
        }
        return charts
    }

    /// The best model's confusion counts minus the first model's (first seeds), when they differ.
    var confusionDifference: [[Int]]? {
        guard let best, let first = models.first, best.name != first.name,
            let a = best.evaluation?.confusion.counts, let b = first.evaluation?.confusion.counts
        else { return nil }
        guard a.count == b.count else { return nil }
        return zip(a, b).map { zip($0, $1).map { $0 - $1 } }
    }

    /// Mean and spread over seeds of one metric of a model's history.
    func curve(_ model: StudyResult.ModelResult, metric: String, colour: Int) -> LineChartSVG.Series? {
        let epochs = model.runs.map { $0.history.epochs.count }.max() ?? 0
        guard epochs > 0 else { return nil }
        var points = [(x: Double, y: Double)]()
        var band = [(x: Double, low: Double, high: Double)]()
        for epoch in 0..<epochs {
            let values = model.runs.compactMap { run -> Double? in
                epoch < run.history.epochs.count ? run.history.epochs[epoch].metrics[metric] : nil
            }
            guard !values.isEmpty else { continue }
            let x = Double(epoch + 1)
            points.append((x, values.reduce(0, +) / Double(values.count)))
            band.append((x, values.min()!, values.max()!))
        }
        guard !points.isEmpty else { return nil }
        return LineChartSVG.Series(
            name: model.name, colour: SVGChart.colour(colour), points: points, band: model.runs.count > 1 ? band : [])
    }

    /// The same comparison as Markdown tables, with links to the figures.
    public var markdown: String {
        guard let classNames = models.first?.classNames, !classNames.isEmpty else { return "" }
        let kind = result.isTagging ? "tag" : "class"
        var md = "### F1 per \(kind)\n\n| \(kind) | " + models.map(\.name).joined(separator: " | ") + " |\n"
        md += "|---|" + models.map { _ in "---:" }.joined(separator: "|") + "|\n"
        for (c, name) in classNames.enumerated() {
            md += "| \(name) | "
            md += models.map { String(format: "%.4f", c < $0.perClassF1.count ? $0.perClassF1[c] : .nan) }
                .joined(separator: " | ")
            md += " |\n"
        }
        if let difference = confusionDifference, let best, let first = models.first,
            let firstConfusion = first.evaluation?.confusion
        {
            var changes = [(row: Int, column: Int, value: Int)]()
            for (r, row) in difference.enumerated() {
                for (c, value) in row.enumerated() where r != c && value != 0 { changes.append((r, c, value)) }
            }
            let fixed = changes.filter { $0.value < 0 }.sorted { $0.value < $1.value }.prefix(5)
            let worse = changes.filter { $0.value > 0 }.sorted { $0.value > $1.value }.prefix(3)
            md += "\n### What \(best.name) fixed over \(first.name)\n\n"
            md += "Confusions on the test set (first seeds), true class → predicted class:\n\n"
            md += "| confusion | \(first.name) | \(best.name) | change |\n|---|---:|---:|---:|\n"
            for change in fixed + worse {
                let old = firstConfusion.counts[change.row][change.column]
                md += "| \(classNames[change.row]) → \(classNames[change.column]) | \(old) | \(old + change.value) | "
                md += "\(change.value > 0 ? "+" : "")\(change.value) |\n"
            }
        }
        md += "\nFigures: " + charts.map { "[\($0.name)](\($0.file))" }.joined(separator: ", ") + ".\n"
        return md
    }
}
