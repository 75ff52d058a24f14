import ClassificationMetrics
import FashionData
import Foundation
import NeuralNet
import Reports
import _Files

/// A multi-label model judged on tagged images, as scikit-learn judges it (`MultiLabelMetrics`),
/// at the model's thresholds: the summary metrics, a table a tag, the tags most often missed
/// and most often invented, and, given a folder, a picture of the first images with their tags.
public struct TagEvaluation: Codable, Sendable {
    public let tagNames: [String]
    public let thresholds: [Float]
    public let metrics: MultiLabelMetrics
    /// For each tag, how many images have it but were not given it (false negatives).
    public let missed: [Int]
    /// For each tag, how many images were given it without having it (false positives).
    public let invented: [Int]
    public var pictures: [String: String]

    public static let pictureOrder = ["tags"]

    /// Judges a tagger's outputs on `images` as scikit-learn would, and draws the tag grid.
    /// - Parameters:
    ///   - name: the model's name in the report.
    ///   - tagNames: the tags in column order.
    ///   - thresholds: each tag's threshold.
    ///   - images: the images, with their true tags.
    ///   - probabilities: `[count, tags]`, the model's sigmoid outputs.
    ///   - folder: where the picture goes (nil: none drawn).
    public static func run(
        name: String, tagNames: [String], thresholds: [Float], images: LabeledImages, probabilities: [Float],
        folder: URL?
    ) throws -> TagEvaluation {
        let tags = tagNames.count
        let truth = images.tags ?? images.withClassesAsTags(tagCount: tags).tags!
        let metrics = MultiLabelMetrics(truth: truth, scores: probabilities, tagCount: tags, thresholds: thresholds)
        var missed = [Int](repeating: 0, count: tags)
        var invented = missed
        for i in 0..<truth.count {
            let predicted = probabilities[i] >= thresholds[i % tags]
            if truth[i] != 0 && !predicted { missed[i % tags] += 1 }
            if truth[i] == 0 && predicted { invented[i % tags] += 1 }
        }
        var pictures = [String: String]()
        if let folder {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let items = (0..<min(24, images.count)).map { index in
                TagGrid.Item(
                    image: images.image(at: index),
                    tags: (0..<tags).compactMap { tag -> TagGrid.Tag? in
                        let p = probabilities[index * tags + tag]
                        let predicted = p >= thresholds[tag]
                        let actual = truth[index * tags + tag] != 0
                        let verdict: TagGrid.Tag.Verdict? =
                            predicted && actual ? .right : actual ? .missed : predicted ? .invented : nil
                        return verdict.map { TagGrid.Tag(name: tagNames[tag], probability: Double(p), verdict: $0) }
                    })
            }
            var grid = TagGrid(
                title: "\(name): the first \(items.count) images and their tags", items: items, imageRows: images.rows,
                imageColumns: images.columns)
            grid.imageChannels = images.channels
            try AtomicFile.write(PNGEncoder.encode(grid.render()), to: folder.appendingPathComponent("tags.png"))
            pictures["tags"] = "tags.png"
        }
        return TagEvaluation(
            tagNames: tagNames, thresholds: thresholds, metrics: metrics, missed: missed, invented: invented,
            pictures: pictures)
    }

    /// The metrics as text for a terminal.
    public var text: String {
        let m = metrics
        var lines = [
            String(
                format:
                    "Mean average precision %.4f, subset accuracy %.4f, Hamming loss %.4f, label ranking AP %.4f",
                m.meanAveragePrecision, m.subsetAccuracy, m.hammingLoss, m.labelRankingAveragePrecision),
            String(
                format: "F1: micro %.4f (precision %.4f, recall %.4f), macro %.4f, samples %.4f", m.microF1,
                m.microPrecision, m.microRecall, m.macroF1, m.samplesF1),
            "",
        ]
        let width = max(12, tagNames.map(\.count).max() ?? 0)
        lines.append(
            "tag".padding(toLength: width, withPad: " ", startingAt: 0)
                + "  precision  recall      f1      AP  threshold  support  missed  extra")
        for (tag, name) in tagNames.enumerated() {
            let s = m.perTag[tag]
            lines.append(
                name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %9.4f  %6.4f  %6.4f  %6.4f  %9.2f  %7d  %6d  %5d", s.precision, s.recall, s.f1,
                        s.averagePrecision, thresholds[tag], s.support, missed[tag], invented[tag]))
        }
        func most(_ counts: [Int]) -> String {
            let top = counts.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }.prefix(3)
            return top.isEmpty ? "none" : top.map { "\(tagNames[$0.offset]) (\($0.element))" }.joined(separator: ", ")
        }
        lines.append("")
        lines.append("Most often missed: \(most(missed))")
        lines.append("Most often invented: \(most(invented))")
        return lines.joined(separator: "\n")
    }

    /// Writes `evaluation.json` and `evaluation.md` into `folder`, atomically; returns the JSON.
    @discardableResult
    public func write(name: String, imageCount: Int, to folder: URL) throws -> Data {
        try Evaluation.writeFiles(
            self, title: "\(name) on \(imageCount) tagged images", text: text, pictures: pictures,
            order: Self.pictureOrder, to: folder)
    }
}

/// `evaluate --predictions`: one row an image, `index,label` (or `labels`, `|`-separated, for a
/// tagging model), then a probability column a class named `p_<class>`, so any tool can
/// recompute every metric.
public enum PredictionsFile {
    public static func text(classNames: [String], images: LabeledImages, probabilities: [Float], multiLabel: Bool)
        -> String
    {
        let classes = classNames.count
        var text =
            (multiLabel ? "index,labels" : "index,label") + ","
            + classNames.map { Manifest.field("p_" + $0) }.joined(separator: ",") + "\n"
        text.reserveCapacity(images.count * (classes * 11 + 16))
        let tagged = multiLabel && !images.isMultiLabel ? images.withClassesAsTags(tagCount: classes) : images
        for index in 0..<images.count {
            text += String(index) + ","
            if multiLabel {
                let names = tagged.tags(at: index).enumerated().filter { $0.element != 0 }.map { classNames[$0.offset] }
                text += Manifest.field(names.joined(separator: "|"))
            } else {
                text += Manifest.field(classNames[Int(images.labels[index])])
            }
            for c in 0..<classes {
                text += ","
                // The shortest text that reads back as the same Float.
                text += "\(probabilities[index * classes + c])"
            }
            text += "\n"
        }
        return text
    }
}
