import ClassificationMetrics
import Explain
import FashionData
import Foundation
import Inference
import NeuralNet
import Reports
import _Files

/// A model judged on a labelled image set: the metrics of the study's notebook and more,
/// and, when given a folder, the pictures (confusion heatmap, first predictions, most
/// confident mistakes, reliability diagram, first-layer weights).
public struct Evaluation: Codable, Sendable {
    public let accuracy: Double
    public let top2Accuracy: Double
    public let logLoss: Double
    public let expectedCalibrationError: Double
    public let report: ClassificationReport
    public let confusion: ConfusionMatrix
    public let calibration: [ProbabilityMetrics.CalibrationBin]
    /// Picture file names (relative to the folder they were written to), by kind.
    public var pictures: [String: String]

    public static let pictureOrder = [
        "curves", "confusion", "predictions", "mistakes", "explanations", "calibration", "weights",
    ]

    /// Judges `model` on `images` and draws the report's pictures into `folder`.
    /// - Parameters:
    ///   - name: the model's name in the report.
    ///   - model: the network judged.
    ///   - classNames: the classes in label order.
    ///   - images: the images judged, with their labels.
    ///   - folder: where the pictures go (nil: none drawn).
    ///   - flipAveraging: whether each image is judged with its mirror image.
    ///   - given: the model's outputs for `images` when already computed.
    ///   - members: an ensemble's other models, whose mean with `model` gave `given`;
    ///     the explanations are then the mean of every member's maps (integrated gradients are
    ///     linear in the score, so that explains the members' mean logit).
    public static func run(
        name: String, model: Sequential, classNames: [String], images: LabeledImages, folder: URL?,
        flipAveraging: Bool = false, probabilities given: [Float]? = nil, members: [Sequential] = []
    ) throws -> Evaluation {
        let classes = classNames.count
        let probabilities = given ?? Trainer.predict(model, on: images, flipAveraging: flipAveraging)
        let labels = images.labels.map(Int.init)
        let predictions = ProbabilityMetrics.predictions(probabilities, classCount: classes)
        let confusion = ConfusionMatrix(labels: labels, predictions: predictions, classCount: classes)
        let calibration = ProbabilityMetrics.calibration(probabilities, labels: labels, classCount: classes)
        var pictures = [String: String]()
        if let folder {
            func save(_ canvas: Canvas, _ key: String) throws {
                try AtomicFile.write(PNGEncoder.encode(canvas), to: folder.appendingPathComponent("\(key).png"))
                pictures[key] = "\(key).png"
            }
            func item(_ i: Int) -> PredictionGrid.Item {
                PredictionGrid.Item(
                    image: images.image(at: i), predicted: classNames[predictions[i]], truth: classNames[labels[i]],
                    confidence: Double(probabilities[i * classes + predictions[i]]))
            }
            try save(
                ConfusionHeatmap(title: "\(name): confusion matrix", counts: confusion.counts, classNames: classNames)
                    .render(), "confusion")
            try save(
                grid(
                    PredictionGrid(
                        title: "\(name): the first \(min(32, images.count)) images",
                        items: (0..<min(32, images.count)).map(item),
                        imageRows: images.rows, imageColumns: images.columns), channels: images.channels
                ).render(), "predictions")
            // Per true class, its most confident mistakes.
            let mistakes = labels.indices.filter { predictions[$0] != labels[$0] }
                .sorted {
                    probabilities[$0 * classes + predictions[$0]] > probabilities[$1 * classes + predictions[$1]]
                }
            let byClass = (0..<classes).map { c in Array(mistakes.filter { labels[$0] == c }.prefix(6)) }.filter {
                !$0.isEmpty
            }
            try save(
                grid(
                    PredictionGrid(
                        title: "\(name): the most confident mistakes of each class", rows: byClass.map { $0.map(item) },
                        imageRows: images.rows, imageColumns: images.columns), channels: images.channels
                ).render(), "mistakes")
            try save(
                Self.explanations(
                    name: name, models: [model] + members, classNames: classNames, images: images,
                    mistakes: byClass.compactMap(\.first), predictions: predictions, probabilities: probabilities),
                "explanations")
            try save(
                ReliabilityDiagram(
                    title: "\(name): reliability (ECE \(String(format: "%.4f", calibration.expectedCalibrationError)))",
                    bins: calibration.bins.map { ($0.lower, $0.upper, $0.count, $0.accuracy) }
                ).render(), "calibration")
            if let first = model.layers.first as? Dense, first.kernel.value.rows == images.rows * images.columns {
                try save(
                    WeightImages(
                        title: "\(name): first-layer weights", kernel: first.kernel.value.values,
                        inputRows: images.rows,
                        inputColumns: images.columns, units: first.units
                    ).render(), "weights")
            }
        }
        let evaluation = Evaluation(
            accuracy: Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(1, labels.count)),
            top2Accuracy: ProbabilityMetrics.topKAccuracy(probabilities, labels: labels, classCount: classes, k: 2),
            logLoss: ProbabilityMetrics.logLoss(probabilities, labels: labels, classCount: classes),
            expectedCalibrationError: calibration.expectedCalibrationError,
            report: ClassificationReport(confusion: confusion, classNames: classNames),
            confusion: confusion, calibration: calibration.bins, pictures: pictures)
        if let folder {
            // The charts as vector files too (the PNGs are for Markdown and for looking at quickly).
            try AtomicFile.write(
                text: ModelCharts.confusion(name: name, evaluation: evaluation),
                to: folder.appendingPathComponent("confusion.svg"))
            try AtomicFile.write(
                text: ModelCharts.calibration(name: name, evaluation: evaluation),
                to: folder.appendingPathComponent("calibration.svg"))
        }
        return evaluation
    }

    /// What the model looked at in each class's most confident mistake: integrated gradients
    /// (zero baseline, 32 points) for the class it chose, beside each image.
    /// `grid` drawing images of `channels` channels.
    static func grid(_ grid: PredictionGrid, channels: Int) -> PredictionGrid {
        var grid = grid
        grid.imageChannels = channels
        return grid
    }

    static func explanations(
        name: String, models: [Sequential], classNames: [String], images: LabeledImages, mistakes: [Int],
        predictions: [Int],
        probabilities: [Float]
    ) -> Canvas {
        let size = images.pixelsPerImage
        let pixels = mistakes.map { Array(images.image(at: $0)) }
        let inputs = pixels.flatMap { $0.map { Float($0) / 255 } }
        let chosen = mistakes.map { predictions[$0] }
        let maps = Ensemble.mean(
            models.map {
                Explainer(model: $0).integratedGradients(
                    inputs, baselines: [Float](repeating: 0, count: inputs.count), classes: chosen, steps: 32
                ).maps
            })
        let rows = mistakes.enumerated().map { row, index in
            SaliencyPicture.Row(
                image: pixels[row], map: Array(maps[(row * size)..<((row + 1) * size)]),
                caption: String(
                    format: "%@ taken for %@ %.2f", classNames[Int(images.labels[index])], classNames[chosen[row]],
                    probabilities[index * classNames.count + chosen[row]]))
        }
        return SaliencyPicture(
            title: "\(name): why each class's most confident mistake (integrated gradients)", rows: rows,
            height: images.rows, width: images.columns, scale: 3
        ).render()
    }

    /// Writes `evaluation.json` and `evaluation.md` (the metrics and the pictures) into
    /// `folder`, atomically, and returns the JSON document.
    @discardableResult
    public func write(name: String, imageCount: Int, to folder: URL) throws -> Data {
        try Self.writeFiles(
            self, title: "\(name) on \(imageCount) images", text: text, pictures: pictures, order: Self.pictureOrder,
            to: folder)
    }

    /// `evaluation.json` (`document`) and `evaluation.md` (the title, the text and the pictures
    /// in `order`), written atomically into `folder`; returns the JSON.
    static func writeFiles(
        _ document: some Encodable, title: String, text: String, pictures: [String: String], order: [String],
        to folder: URL
    ) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(document)
        try AtomicFile.write([UInt8](json), to: folder.appendingPathComponent("evaluation.json"))
        var markdown = "# \(title)\n\n```\n\(text)\n```\n\n"
        for key in order { if let picture = pictures[key] { markdown += "![\(key)](\(picture))\n\n" } }
        try AtomicFile.write(text: markdown, to: folder.appendingPathComponent("evaluation.md"))
        return json
    }

    /// The metrics as text for a terminal.
    public var text: String {
        let names = report.classNames
        var lines = [
            String(
                format: "Accuracy %.4f, top-2 accuracy %.4f, log loss %.4f, expected calibration error %.4f",
                accuracy, top2Accuracy, logLoss, expectedCalibrationError), "", report.text(digits: 4),
        ]
        lines.append(
            "Most confused: "
                + confusion.mostConfused(top: 5).map {
                    "\(names[$0.trueClass]) -> \(names[$0.predicted]) (\($0.count))"
                }
                .joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}
