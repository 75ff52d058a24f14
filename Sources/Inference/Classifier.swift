import FashionData
import Foundation
import NeuralNet
import NumericCore
import Synchronization

/// A model file loaded once, ready to classify: its preprocessing (the one photo preparation
/// that `fashion predict` uses) and its flip averaging, taking pixel buffers, scaled inputs or
/// decoded photos and returning class probabilities. Or an ensemble of model files, whose
/// probabilities are the mean of its members' (each with its own flip averaging).
///
/// Safe to call from any number of threads at once: the weights are shared and never
/// written; each call takes a workspace (a copy of the model's layers sharing those weights,
/// with buffers of its own) from a pool and gives it back. A batch gives each image the same
/// numbers as classifying it alone: every layer computes each image's output on its own.
///
/// - Inputs: `count` images of `preprocessing.image`, NHWC (`count·height·width·channels`
///   values). Output: `[count, classCount]` probabilities, row-major.
public final class Classifier: Sendable {
    public let classNames: [String]
    public let preprocessing: Preprocessing
    /// Whether each image's probabilities are averaged with its mirror image's (an ensemble's
    /// first member's; each member has its own).
    public let flipAveraging: Bool
    private let memberFlipAveraging: [Bool]
    /// Whether the model takes images (`[N, height, width, channels]`) rather than flat
    /// vectors (`[N, values]`); the values are in the same order either way.
    public let isImageModel: Bool
    /// Whether the model tags (a sigmoid a class) rather than classifies (softmax).
    public let isMultiLabel: Bool
    /// A tagging model's thresholds, one a tag (0.5 each unless the model file has its own).
    public let thresholds: [Float]
    /// How the arithmetic runs on this CPU: "fp32 (avx512)", or for a quantized model "int8
    /// dense layers (avx512-vnni), fp32 the rest (avx512)" (serve's start-up line prints it).
    public let arithmetic: String
    /// Images run through one workspace at a time: bounds a call's memory for any batch.
    public static let chunkSize = 256

    private let workspaces: Mutex<[Workspace]>
    private let template: Workspace

    /// A classifier of one model file.
    /// - Parameters:
    ///   - file: the model, read with `ModelFile.read(from:)`.
    ///   - flipAveraging: overrides the model file's own choice.
    public convenience init(file: ModelFile, flipAveraging: Bool? = nil) {
        self.init(members: [file], flipAveraging: flipAveraging)
    }

    /// An ensemble: `files` judged as one classifier (one file is that model alone). They must
    /// classify, take the same images and name the same classes (`ModelFile.ensembleProblem`);
    /// - Parameters:
    ///   - files: the members, one model or more.
    ///   - paths: the members' files, named in the error when they cannot be judged as one.
    ///   - flipAveraging: overrides every member's own choice.
    public convenience init(ensemble files: [ModelFile], paths: [String], flipAveraging: Bool? = nil)
        throws(InferenceError)
    {
        guard !files.isEmpty else { throw .badInput(field: "model", reason: "expected a model file, found none") }
        if let reason = ModelFile.ensembleProblem(files, paths: paths) {
            throw .badInput(field: "model", reason: reason)
        }
        self.init(members: files, flipAveraging: flipAveraging)
    }

    private init(members: [ModelFile], flipAveraging: Bool?) {
        let file = members[0]
        classNames = file.classNames
        preprocessing = file.preprocessing
        memberFlipAveraging = members.map { $0.flipAveraging(overriding: flipAveraging) }
        self.flipAveraging = memberFlipAveraging[0]
        template = Workspace(models: members.map(\.model))
        isImageModel = file.model.imageShape != nil
        isMultiLabel = file.isMultiLabel
        thresholds = file.decisionThresholds
        arithmetic =
            members.contains { $0.quantization != nil }
            ? "int8 convolutions and dense layers (\(Int8Product.best.name)), fp32 the rest (\(MatrixProduct.kernelLevel))"
            : "fp32 (\(MatrixProduct.kernelLevel))"
        workspaces = Mutex([])
    }

    /// Reads the model file at `url` (see `ModelFile.read`).
    public convenience init(contentsOf url: URL, flipAveraging: Bool? = nil) throws(ModelError) {
        self.init(file: try ModelFile.read(from: url), flipAveraging: flipAveraging)
    }

    public var classCount: Int { classNames.count }
    /// Values in one image the model takes.
    public var inputSize: Int { preprocessing.image.valueCount }

    /// Probabilities for inputs already scaled as the model takes them (`[0, 1]` for
    /// `divide_by_255`).
    public func probabilities(inputs: [Float], count: Int) throws(InferenceError) -> [Float] {
        try checkCount(inputs.count, count: count, field: "inputs")
        let size = inputSize
        return inputs.withUnsafeBufferPointer { source in
            run(count: count) { image, target in target.update(from: source.baseAddress! + image * size, count: size) }
        }
    }

    /// Probabilities for raw pixels (0...255) of the model's image shape.
    public func probabilities(pixels: [UInt8], count: Int) throws(InferenceError) -> [Float] {
        try checkCount(pixels.count, count: count, field: "pixels")
        let scaling = preprocessing.scaling
        let size = inputSize
        return pixels.withUnsafeBufferPointer { source in
            run(count: count) { image, target in
                let from = source.baseAddress! + image * size
                for i in 0..<size { target[i] = scaling.scale(from[i]) }
            }
        }
    }

    /// Probabilities for decoded photos of any size, each prepared as the model file says.
    public func probabilities(photos: [RasterImage]) throws(InferenceError) -> [Float] {
        var pixels = [UInt8]()
        for photo in photos { pixels += try prepare(photo) }
        return try probabilities(pixels: pixels, count: photos.count)
    }

    /// A photo brought to the model's image (`preprocessing.photos`), as pixels 0...255.
    public func prepare(_ photo: RasterImage) throws(InferenceError) -> [UInt8] {
        switch preprocessing.photos {
        case .fashionMNIST:
            // Fashion-MNIST's way makes grayscale images; a colour model needs a fit of its own.
            guard preprocessing.image.channels == 1 else {
                throw .badInput(
                    field: "photos",
                    reason:
                        "the model takes \(preprocessing.image) images, but photo fit 'fashion_mnist' makes "
                        + "grayscale ones"
                )
            }
            return ImagePreparation.prepare(photo, rows: preprocessing.image.height, columns: preprocessing.image.width)
        case .letterbox:
            let image = preprocessing.image
            return ImagePreparation.letterbox(
                photo, rows: image.height, columns: image.width, channels: image.channels)
        }
    }

    /// The `top` most probable classes of each row of `probabilities`, most probable first.
    public func topClasses(_ probabilities: [Float], top: Int) -> [[ClassScore]] {
        let classes = classCount
        let count = probabilities.count / max(1, classes)
        return (0..<count).map { row in
            let p = (0..<classes).map { Double(probabilities[row * classes + $0]) }
            let order = p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(max(0, top))
            return order.map { ClassScore(className: classNames[$0], classIndex: $0, probability: p[$0]) }
        }
    }

    /// A tagging model's tags of each row of `probabilities`: every tag whose probability
    /// reaches its threshold, most probable first.
    public func tags(_ probabilities: [Float]) -> [[ClassScore]] {
        let classes = classCount
        let count = probabilities.count / max(1, classes)
        return (0..<count).map { row in
            (0..<classes).filter { probabilities[row * classes + $0] >= thresholds[$0] }
                .map {
                    ClassScore(
                        className: classNames[$0], classIndex: $0,
                        probability: Double(probabilities[row * classes + $0]))
                }
                .sorted {
                    $0.probability > $1.probability
                        || ($0.probability == $1.probability && $0.classIndex < $1.classIndex)
                }
        }
    }

    private func checkCount(_ values: Int, count: Int, field: String) throws(InferenceError) {
        guard count >= 0 else { throw .badInput(field: "count", reason: "expected 0 or more images, found \(count)") }
        let (expected, overflow) = count.multipliedReportingOverflow(by: inputSize)
        guard !overflow, values == expected else {
            throw .badInput(
                field: field,
                reason:
                    "expected \(count) images of \(preprocessing.image) (\(count) x \(inputSize) values), found "
                    + "\(values) values"
            )
        }
    }

    /// Runs `count` images through a workspace in chunks; `fill(image, target)` writes one
    /// image's inputs.
    private func run(count: Int, fill: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        guard count > 0 else { return [] }
        let workspace = workspaces.withLock { $0.popLast() } ?? template.copy()
        defer { workspaces.withLock { $0.append(workspace) } }
        var result = [Float]()
        result.reserveCapacity(count * classCount)
        var lower = 0
        while lower < count {
            let upper = min(count, lower + Self.chunkSize)
            let input = workspace.input
            input.resize(rows: upper - lower, columns: inputSize)
            for image in lower..<upper { fill(image, input.pointer + (image - lower) * inputSize) }
            result.append(contentsOf: workspace.output(flipAveraging: memberFlipAveraging))
            lower = upper
        }
        return result
    }
}
