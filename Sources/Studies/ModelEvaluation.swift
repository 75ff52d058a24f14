import FashionData
import Foundation
import NeuralNet
import _Files

/// `fashion evaluate` as one library call: a model file judged on a labelled image set, with
/// its pictures, evaluation.json and evaluation.md written into a folder.
public struct ModelEvaluation {
    /// The model's name: the file's stem, or its folder's name for `.../model3/model.safetensors`.
    public let name: String
    public let folder: URL
    public let imageCount: Int
    /// A classifier's evaluation (nil for a tagging model).
    public let evaluation: Evaluation?
    /// A tagging model's evaluation (nil for a classifier).
    public let tagging: TagEvaluation?
    /// evaluation.json as written.
    public let document: Data

    /// The metrics as text for a terminal.
    public var text: String { tagging?.text ?? evaluation?.text ?? "" }

    /// - Parameters:
    ///   - source: what `images` are, for messages ("the test set", a file's path).
    ///   - folder: where the files go (default: `<name>-evaluation` beside the model file).
    ///   - flipAveraging: overrides the model file's own choice.
    ///   - predictions: where to write one row of probabilities an image (`PredictionsFile`).
    public static func run(
        modelFile: URL, images: LabeledImages, source: String, folder: URL? = nil, flipAveraging: Bool? = nil,
        predictions: URL? = nil
    ) throws -> ModelEvaluation {
        guard images.count > 0 else {
            throw StudyError.invalidField(name: "images", reason: "\(source) has no images; nothing to evaluate")
        }
        let file = try ModelFile.read(from: modelFile)
        let image = file.preprocessing.image
        guard images.shape == image else {
            throw StudyError.invalidField(
                name: "images", reason: "the model takes \(image) images; \(source) has \(images.shape) images")
        }
        if images.isMultiLabel {
            guard file.isMultiLabel else {
                throw StudyError.invalidField(
                    name: "images",
                    reason:
                        "\(source) is tagged (multi-label) but the model classifies (it ends in softmax); train a "
                        + "tagger with --multi-label")
            }
            guard images.tagCount == file.classNames.count else {
                throw StudyError.invalidField(
                    name: "images",
                    reason: "\(source) has \(images.tagCount) tags; the model has \(file.classNames.count)")
            }
        } else {
            try images.validateLabels(classCount: file.classNames.count, path: source)
        }
        let stem = modelFile.deletingPathExtension().lastPathComponent
        let name = stem == "model" ? modelFile.deletingLastPathComponent().lastPathComponent : stem
        let folder = folder ?? modelFile.deletingLastPathComponent().appendingPathComponent("\(name)-evaluation")
        let flip = file.flipAveraging(overriding: flipAveraging)
        let probabilities = Trainer.predict(file.model, on: images, flipAveraging: flip)
        if let predictions {
            try AtomicFile.write(
                text: PredictionsFile.text(
                    classNames: file.classNames, images: images, probabilities: probabilities,
                    multiLabel: file.isMultiLabel),
                to: predictions)
        }
        if file.isMultiLabel {
            let tagging = try TagEvaluation.run(
                name: name, tagNames: file.classNames, thresholds: file.decisionThresholds, images: images,
                probabilities: probabilities, folder: folder)
            let document = try tagging.write(name: name, imageCount: images.count, to: folder)
            return ModelEvaluation(
                name: name, folder: folder, imageCount: images.count, evaluation: nil, tagging: tagging,
                document: document)
        }
        let evaluation = try Evaluation.run(
            name: name, model: file.model, classNames: file.classNames, images: images, folder: folder,
            flipAveraging: flip, probabilities: probabilities)
        let document = try evaluation.write(name: name, imageCount: images.count, to: folder)
        return ModelEvaluation(
            name: name, folder: folder, imageCount: images.count, evaluation: evaluation, tagging: nil,
            document: document)
    }
}
