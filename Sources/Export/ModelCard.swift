import NeuralNet

/// What a user of an exported file needs to feed it, written beside it as `<file>.onnx.json`.
public struct ModelCard: Codable, Equatable, Sendable {
    /// A graph input or output as the model card describes it: name, shape and element type.
    public struct TensorDescription: Codable, Equatable, Sendable {
        public let name: String
        /// Sizes, "N" for the batch.
        public let shape: [String]
        public let elementType: String
        public let meaning: String
    }

    static let producerVersion = "0.1.0"

    public let format: String
    public let file: String
    public let irVersion: Int
    public let opset: Int
    public let input: TensorDescription
    public let output: TensorDescription
    public let classNames: [String]
    public let preprocessing: Preprocessing
    /// The first 12 hex digits of the source model file's MD5.
    public let version: String
    public let architecture: String
    public let testAccuracy: Double?
    /// Whether the graph averages each image's probabilities with its mirror image's.
    public let flipAveraging: Bool

    /// A tagging model's thresholds, one a tag (nil for a classifier).
    public let thresholds: [Float]?

    /// An ensemble's members, in order (nil for one model): the graph's output is the mean of
    /// their probabilities; `architecture` is then the first's, `flipAveraging` whether any averages.
    public struct Member: Codable, Equatable, Sendable {
        public let architecture: String
        public let flipAveraging: Bool
    }
    public var members: [Member]? = nil

    init(file model: ModelFile, onnxFile: String, version: String, testAccuracy: Double?, flipAveraging: Bool) {
        self.flipAveraging = flipAveraging
        format = "onnx"
        file = onnxFile
        irVersion = ONNXModel.irVersion
        opset = ONNXModel.opsetVersion
        let image = model.preprocessing.image
        let isImage = model.model.imageShape != nil
        input = TensorDescription(
            name: "input",
            shape: ["N"] + (isImage ? image.dimensions.map(String.init) : ["\(model.model.inputSize)"]),
            elementType: "float32",
            meaning: (isImage ? "\(image) images, NHWC" : "\(image) images, flattened row by row")
                + ", each pixel / 255 (0 black, 1 white); photos made into such images as '"
                + model.preprocessing.photos.rawValue + "' says (see preprocessing)")
        output = TensorDescription(
            name: "probabilities", shape: ["N", "\(model.classNames.count)"], elementType: "float32",
            meaning: model.isMultiLabel
                ? "independent tag probabilities (sigmoid), in the order of classNames; a tag is given when its "
                    + "probability reaches its entry of thresholds"
                : "class probabilities, in the order of classNames")
        thresholds = model.isMultiLabel ? model.decisionThresholds : nil
        classNames = model.classNames
        preprocessing = model.preprocessing
        self.version = version
        architecture = model.model.specification.outline
        self.testAccuracy = testAccuracy
    }
}
