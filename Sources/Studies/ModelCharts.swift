import Foundation
import NeuralNet
import Reports

/// A model's own charts in report.html, as vector charts: its first seed's training curves,
/// its confusion matrix and its reliability diagram (the PNG files stay for report.md).
enum ModelCharts {
    /// The inline SVG for picture `key` of `model`, or nil where the picture is an image grid.
    static func svg(_ key: String, model: StudyResult.ModelResult) -> String? {
        switch key {
        case "curves": return curves(model)
        case "confusion": return model.evaluation.map { confusion(name: model.name, evaluation: $0) }
        case "calibration": return model.evaluation.map { calibration(name: model.name, evaluation: $0) }
        default: return nil
        }
    }

    static func curves(_ model: StudyResult.ModelResult) -> String? {
        guard let history = model.runs.first?.history, !history.epochs.isEmpty else { return nil }
        let seed = model.runs.first?.seed ?? 0
        var charts = ""
        for (name, train, validation) in [
            ("loss", EpochRecord.Name.loss, EpochRecord.Name.validationLoss),
            ("accuracy", EpochRecord.Name.accuracy, EpochRecord.Name.validationAccuracy),
        ] {
            func series(_ metric: String, _ label: String, _ colour: Int) -> LineChartSVG.Series {
                LineChartSVG.Series(
                    name: label, colour: SVGChart.colour(colour),
                    points: history.epochs.compactMap { epoch in
                        epoch.metrics[metric].map { (Double(epoch.epoch), $0) }
                    })
            }
            let lines = [series(train, "training", 0), series(validation, "validation", 1)].filter {
                !$0.points.isEmpty
            }
            charts +=
                LineChartSVG(
                    id: "\(model.name)-\(name)", title: "\(model.name): \(name) by epoch (seed \(seed))",
                    description: lines.map {
                        "\($0.name) \(name) ends at \(String(format: "%.4f", $0.points.last?.y ?? .nan))"
                    }.joined(separator: "; "),
                    xLabel: "epoch", yLabel: name, series: lines, width: 420, height: 270
                ).svg
        }
        return charts
    }

    static func confusion(name: String, evaluation: Evaluation) -> String {
        let pairs = evaluation.confusion.mostConfused(top: 3).map {
            "\(evaluation.report.classNames[$0.trueClass]) as \(evaluation.report.classNames[$0.predicted]) \($0.count)"
        }
        return MatrixChartSVG(
            id: "\(name)-confusion", title: "\(name): confusion matrix on the test set",
            description: "Rows: the true class; columns: the predicted class. Most confused: "
                + pairs.joined(separator: ", ") + ".",
            labels: evaluation.report.classNames, values: evaluation.confusion.counts, colouring: .counts
        ).svg
    }

    static func calibration(name: String, evaluation: Evaluation) -> String {
        let bins = evaluation.calibration.filter { $0.count > 0 }
        let perfect = LineChartSVG.Series(name: "perfectly calibrated", colour: "#888888", points: [(0, 0), (1, 1)])
        let measured = LineChartSVG.Series(
            name: "this model", colour: SVGChart.colour(2), points: bins.map { ($0.meanConfidence, $0.accuracy) })
        return LineChartSVG(
            id: "\(name)-calibration", title: "\(name): reliability (confidence against accuracy)",
            description: String(
                format: "Expected calibration error %.4f over %d bins with images.",
                evaluation.expectedCalibrationError, bins.count),
            xLabel: "confidence (the predicted class's probability)", yLabel: "accuracy", series: [perfect, measured],
            width: 420, height: 300
        ).svg
    }
}
