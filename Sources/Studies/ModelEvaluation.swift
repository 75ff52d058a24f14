import FashionData
import Foundation
import NeuralNet

/// `fashion evaluate` as one library call: a model file judged on a labelled image set, with
/// its pictures, evaluation.json and evaluation.md written into a folder.
public struct ModelEvaluation {
    /// The model's name: the file's stem, or its folder's name for `.../model3/model.safetensors`.
    public let name: String
    public let folder: URL
    public let imageCount: Int
    public let evaluation: Evaluation
    /// evaluation.json as written.
    public let document: Data

    /// - Parameters:
    ///   - source: what `images` are, for messages ("the test set", a file's path).
    ///   - folder: where the files go (default: `<name>-evaluation` beside the model file).
    ///   - flipAveraging: overrides the model file's own choice.
    public static func run(
        modelFile: URL, images: LabeledImages, source: String, folder: URL? = nil, flipAveraging: Bool? = nil
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
        try images.validateLabels(classCount: file.classNames.count, path: source)
        let stem = modelFile.deletingPathExtension().lastPathComponent
        let name = stem == "model" ? modelFile.deletingLastPathComponent().lastPathComponent : stem
        let folder = folder ?? modelFile.deletingLastPathComponent().appendingPathComponent("\(name)-evaluation")
        let evaluation = try Evaluation.run(
            name: name, model: file.model, classNames: file.classNames, images: images, folder: folder,
            flipAveraging: file.flipAveraging(overriding: flipAveraging))
        let document = try evaluation.write(name: name, imageCount: images.count, to: folder)
        return ModelEvaluation(
            name: name, folder: folder, imageCount: images.count, evaluation: evaluation, document: document)
    }
}
