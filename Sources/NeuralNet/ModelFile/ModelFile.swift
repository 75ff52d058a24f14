import Foundation
import _Files

/// A trained classifier on disk: safetensors weights with the architecture, the
/// preprocessing and the class names in the metadata, so the file alone is enough to
/// predict, and Python's `safetensors` library opens it too.
///
/// Metadata keys: `format` ("fashion-model"), `format_version` ("1"), `architecture`
/// (ModelSpecification as JSON), `class_names` (JSON array), `preprocessing` (JSON:
/// `Preprocessing`, the image shape, scaling and photo fit; files of the first layout,
/// `{"imageRows", "imageColumns", "scaling": "divide by 255"}`, still load), `training`
/// (TrainingOptions as JSON, when known), `thresholds` (a multi-label model's decision
/// threshold for each tag, JSON array, chosen on the validation split), `validation_split` (the
/// share of the training set held out and the seed that drew it, JSON: `HeldOutSplit`, so the
/// same images can be judged again and an ensemble's members checked to share them),
/// `quantization` (how a quantized model was made, JSON: `QuantizationRecord`; its 8-bit
/// weights are I8 tensors).
public struct ModelFile {
    public static let formatName = "fashion-model"

    /// How pixels become the model's inputs (see ``NeuralNet/Preprocessing``).
    public typealias Preprocessing = NeuralNet.Preprocessing

    public let model: Sequential
    public let classNames: [String]
    public let preprocessing: Preprocessing
    public let training: TrainingOptions?
    /// A multi-label model's thresholds, one a tag (nil: 0.5 each).
    public let thresholds: [Float]?
    /// The validation split held out of the training set (nil: none, or not recorded).
    public let heldOut: HeldOutSplit?
    /// How the model was quantized (nil: its weights are as trained, 32-bit floats).
    public let quantization: QuantizationRecord?

    public init(
        model: Sequential, classNames: [String], preprocessing: Preprocessing, training: TrainingOptions? = nil,
        thresholds: [Float]? = nil, heldOut: HeldOutSplit? = nil, quantization: QuantizationRecord? = nil
    ) {
        self.quantization = quantization
        self.model = model
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.training = training
        self.thresholds = thresholds
        self.heldOut = heldOut
    }

    /// Whether the model tags (a sigmoid a class, any number of them at once) rather than
    /// classifies (softmax, one class).
    public var isMultiLabel: Bool { model.ends(in: .sigmoid) }

    /// A tag is predicted when its probability reaches its threshold.
    public var decisionThresholds: [Float] { thresholds ?? [Float](repeating: 0.5, count: classNames.count) }

    /// Whether the model's images are judged with their mirror images too: `override` when given,
    /// else as the model was trained; never for a model of plain features.
    public func flipAveraging(overriding override: Bool? = nil) -> Bool {
        (override ?? training?.flipAveraging ?? false) && model.imageShape != nil
    }

    /// Writes the file atomically (temporary file, then rename).
    public func write(to url: URL) throws(ModelError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        var metadata = [
            "format": Self.formatName, "format_version": "1",
            "architecture": json(model.specification), "class_names": json(classNames),
            "preprocessing": json(preprocessing),
        ]
        if let training { metadata["training"] = json(training) }
        if let thresholds { metadata["thresholds"] = json(thresholds) }
        if let heldOut { metadata["validation_split"] = json(heldOut) }
        if let quantization { metadata["quantization"] = json(quantization) }
        let tensors = model.namedTensors.map {
            SafeTensors.Tensor(
                name: $0.name, shape: $0.parameter.shape, values: $0.parameter.value.values,
                dtype: $0.parameter.storage == .int8 ? .i8 : .f32)
        }
        do {
            try AtomicFile.write(SafeTensors.encode(tensors, metadata: metadata), to: url)
        } catch {
            throw .modelFile(path: url.path, reason: error.reason)
        }
    }

    /// Reads a model file, checking that it is one of ours and that every tensor is present
    /// with the shape its architecture needs.
    public static func read(from url: URL) throws(ModelError) -> ModelFile {
        try readWithBytes(from: url).file
    }

    /// `read(from:)`, with the bytes it read (for a version from the same bytes as the model).
    public static func readWithBytes(from url: URL) throws(ModelError) -> (file: ModelFile, bytes: [UInt8]) {
        let path = url.path
        if let problem = FileReading.notAFile(atPath: path) {
            throw .modelFile(path: path, reason: problem)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .modelFile(path: path, reason: "cannot read the file (missing or unreadable)")
        }
        let bytes = [UInt8](data)
        return (try decode(bytes, path: path), bytes)
    }

    /// A model file from its bytes (read from `path`, which messages name).
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelError) -> ModelFile {
        let (tensors, metadata) = try SafeTensors.decode(bytes, path: path)
        guard metadata["format"] == formatName else {
            throw .modelFile(
                path: path,
                reason:
                    "a safetensors file, but not a fashion model (metadata 'format' is "
                    + "\(metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(formatName)')"
            )
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws(ModelError) -> T {
            guard let text = metadata[key], let value = try? decoder.decode(T.self, from: Data(text.utf8)) else {
                throw .modelFile(path: path, reason: "metadata '\(key)' is missing or malformed")
            }
            return value
        }
        let specification = try decode(ModelSpecification.self, "architecture")
        let classNames = try decode([String].self, "class_names")
        let preprocessing = try decode(Preprocessing.self, "preprocessing")
        let training = metadata["training"].flatMap { try? decoder.decode(TrainingOptions.self, from: Data($0.utf8)) }
        let model: Sequential
        do { model = try Sequential(specification: specification, seed: 0) } catch {
            throw .modelFile(path: path, reason: "its architecture does not build: \(error)")
        }
        if let problem = preprocessing.problem(inputSize: model.inputSize) {
            throw .modelFile(path: path, reason: "metadata 'preprocessing': \(problem)")
        }
        guard classNames.count == model.outputSize else {
            throw .modelFile(
                path: path, reason: "\(classNames.count) class names for a model with \(model.outputSize) outputs")
        }
        var thresholds: [Float]?
        if metadata["thresholds"] != nil {
            let values = try decode([Float].self, "thresholds")
            guard values.count == classNames.count, values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
                throw .modelFile(
                    path: path,
                    reason:
                        "metadata 'thresholds': expected \(classNames.count) numbers in [0, 1], found \(values.count) "
                        + "(\(values.prefix(4).map { "\($0)" }.joined(separator: ", ")))")
            }
            thresholds = values
        }
        var heldOut: HeldOutSplit?
        if metadata["validation_split"] != nil {
            let split = try decode(HeldOutSplit.self, "validation_split")
            guard split.fraction > 0, split.fraction < 1 else {
                throw .modelFile(
                    path: path,
                    reason: "metadata 'validation_split': expected a fraction in (0, 1), found \(split.fraction)")
            }
            heldOut = split
        }
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let expected = model.namedTensors
        for (name, parameter) in expected {
            guard let tensor = byName[name] else { throw .modelFile(path: path, reason: "tensor '\(name)' is missing") }
            guard tensor.shape == parameter.shape else {
                throw .modelFile(
                    path: path,
                    reason: "tensor '\(name)' has shape \(tensor.shape); the architecture needs \(parameter.shape)")
            }
            let dtype: SafeTensors.DType = parameter.storage == .int8 ? .i8 : .f32
            guard tensor.dtype == dtype else {
                throw .modelFile(
                    path: path,
                    reason:
                        "tensor '\(name)' has dtype \(tensor.dtype.rawValue); the architecture needs \(dtype.rawValue)")
            }
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw .modelFile(
                    path: path,
                    reason: "tensor '\(name)' holds \(tensor.values[bad]) at index \(bad); weights must be finite")
            }
            tensor.values.withUnsafeBufferPointer {
                parameter.value.pointer.update(from: $0.baseAddress!, count: tensor.values.count)
            }
        }
        if let extra = Set(byName.keys).subtracting(expected.map(\.name)).sorted().first {
            throw .modelFile(path: path, reason: "tensor '\(extra)' does not belong to the architecture")
        }
        for (index, layer) in model.layers.enumerated() {
            if let checked = layer as? any ChecksItsTensors, let problem = checked.tensorProblem() {
                throw .modelFile(path: path, reason: "tensor '\(index).\(problem.name)' \(problem.reason)")
            }
        }
        var quantization: QuantizationRecord?
        if metadata["quantization"] != nil {
            quantization = try decode(QuantizationRecord.self, "quantization")
        }
        return ModelFile(
            model: model, classNames: classNames, preprocessing: preprocessing, training: training,
            thresholds: thresholds, heldOut: heldOut, quantization: quantization)
    }
}

/// The part of a training set held out for validation: `fraction` of it, stratified, drawn
/// with `seed` (`LabeledImages.stratifiedSplit(validationFraction:seed:)`).
public struct HeldOutSplit: Codable, Equatable, Sendable {
    public var fraction: Double
    public var seed: UInt64

    public init(fraction: Double, seed: UInt64) {
        self.fraction = fraction
        self.seed = seed
    }
}
