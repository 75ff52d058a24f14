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

    /// Judges one model file on `images`.
    /// - Parameters:
    ///   - modelFile: the model judged.
    ///   - images: the images, with their labels or tags.
    ///   - source: what `images` are, for messages ("the test set", a file's path).
    ///   - folder: where the files go (default: `<name>-evaluation` beside the model file).
    ///   - flipAveraging: overrides the model file's own choice.
    ///   - predictions: where to write one row of probabilities an image (`PredictionsFile`).
    public static func run(
        modelFile: URL, images: LabeledImages, source: String, folder: URL? = nil, flipAveraging: Bool? = nil,
        predictions: URL? = nil
    ) throws -> ModelEvaluation {
        try run(
            modelFiles: [modelFile], images: images, source: source, folder: folder, flipAveraging: flipAveraging,
            predictions: predictions)
    }

    /// An ensemble judged as one classifier: each image's probabilities are the mean of its
    /// members' (each with its own flip averaging unless `flipAveraging` overrides it), added
    /// in the order given. The members must take the same images and name the same classes;
    /// taggers are judged alone (each one's thresholds were chosen for it). One file is a
    /// model judged alone; its name is the file's, an ensemble's its members' joined by `+`,
    /// and the pictures of first-layer weights show the first member's.
    public static func run(
        modelFiles: [URL], images: LabeledImages, source: String, folder: URL? = nil, flipAveraging: Bool? = nil,
        predictions: URL? = nil
    ) throws -> ModelEvaluation {
        guard images.count > 0 else {
            throw StudyError.invalidField(name: "images", reason: "\(source) has no images; nothing to evaluate")
        }
        guard let firstURL = modelFiles.first else {
            throw StudyError.invalidField(name: "model", reason: "no model file given; nothing to evaluate")
        }
        let members = try modelFiles.map { try ModelFile.read(from: $0) }
        let file = members[0]
        try checkEnsemble(members, files: modelFiles)
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
        let name = modelFiles.map(Self.name(of:)).joined(separator: "+")
        let folder = folder ?? firstURL.deletingLastPathComponent().appendingPathComponent("\(name)-evaluation")
        let flip = file.flipAveraging(overriding: flipAveraging)
        let probabilities = Ensemble.mean(
            members.map {
                Trainer.predict($0.model, on: images, flipAveraging: $0.flipAveraging(overriding: flipAveraging))
            })
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
            flipAveraging: flip, probabilities: probabilities, members: members.dropFirst().map(\.model))
        let document = try evaluation.write(name: name, imageCount: images.count, to: folder)
        return ModelEvaluation(
            name: name, folder: folder, imageCount: images.count, evaluation: evaluation, tagging: nil,
            document: document)
    }

    /// The model's name: the file's stem, or its folder's name for `.../model3/model.safetensors`.
    static func name(of modelFile: URL) -> String {
        let stem = modelFile.deletingPathExtension().lastPathComponent
        return stem == "model" ? modelFile.deletingLastPathComponent().lastPathComponent : stem
    }

    /// Members that can be averaged: the same images in, the same classes out, no taggers.
    static func checkEnsemble(_ members: [ModelFile], files: [URL]) throws {
        if let reason = ModelFile.ensembleProblem(members, paths: files.map(\.path)) {
            throw StudyError.invalidField(name: "model", reason: reason)
        }
    }

    /// The validation split the models held out of `train` when they were trained (the model
    /// files record its share and seed), for judging them, or their ensemble, on it again. All
    /// must have held out the same images: a member judged on images it trained on would flatter
    /// the ensemble.
    public static func heldOutImages(modelFiles: [URL], train: LabeledImages) throws -> LabeledImages {
        var split: HeldOutSplit?
        for url in modelFiles {
            guard let own = try ModelFile.read(from: url).heldOut else {
                throw StudyError.invalidField(
                    name: "model",
                    reason:
                        "\(url.path) records no validation split (trained with --val-split 0, or by a version that "
                        + "did not record it); judge it on the test set or on --images/--labels")
            }
            if let split, split != own {
                throw StudyError.invalidField(
                    name: "model",
                    reason:
                        "\(url.path) held out \(percent(own.fraction)) of the training set drawn with seed \(own.seed), "
                        + "\(modelFiles[0].path) \(percent(split.fraction)) with seed \(split.seed): each was validated "
                        + "on images another trained on; train the members with the same --split-seed and --val-split")
            }
            split = own
        }
        guard let split else {
            throw StudyError.invalidField(name: "model", reason: "no model file given; nothing to evaluate")
        }
        return try train.stratifiedSplit(validationFraction: split.fraction, seed: split.seed).validation
    }

    private static func percent(_ fraction: Double) -> String {
        String(format: "%g%%", fraction * 100)
    }
}
