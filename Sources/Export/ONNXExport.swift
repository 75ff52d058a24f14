import FashionData
import Foundation
import NeuralNet
import _Files

/// `fashion export --format onnx`: a model file as an ONNX file that onnxruntime (and any
/// other ONNX runtime) runs, with a model card beside it (`<file>.json`) that says how to feed
/// it.
public enum ONNXExport {
    /// The ONNX bytes of `file`'s model, its class names, preprocessing and `version` in the
    /// metadata.
    ///
    /// - Parameter flipAveraging: the graph averages each image's probabilities with its mirror
    ///   image's (default: as the model file's training options say, as `fashion predict` does).
    public static func encode(_ file: ModelFile, version: String, flipAveraging: Bool? = nil) throws(ExportError)
        -> [UInt8]
    {
        let flip = file.flipAveraging(overriding: flipAveraging)
        let graph = try ONNXExporter.graph(of: file.model, flipAveraging: flip)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        let model = ONNXModel(
            producerVersion: ModelCard.producerVersion,
            docString:
                "A fashion \(file.isMultiLabel ? "tagger" : "classifier"): \(file.model.specification.outline); input "
                + "NHWC floats in [0, 1], output "
                + (file.isMultiLabel
                    ? "an independent sigmoid probability a tag (a tag is given at its threshold, metadata "
                        + "'thresholds')."
                    : "class probabilities."),
            graph: graph,
            metadata: [
                ("class_names", json(file.classNames)), ("preprocessing", json(file.preprocessing)),
                ("version", version),
                ("input_layout", file.model.imageShape == nil ? "NF" : "NHWC"),
                ("architecture", json(file.model.specification)), ("flip_averaging", flip ? "true" : "false"),
            ] + (file.isMultiLabel ? [("multi_label", "true"), ("thresholds", json(file.decisionThresholds))] : []))
        return model.encoded()
    }

    /// Reads the model file at `modelFile`, writes `output` and `<output>.json` (the card),
    /// atomically, and returns the card.
    ///
    /// - Parameter testAccuracy: the model's accuracy on the test set, when known, for the card.
    @discardableResult
    public static func write(
        modelFile: URL, to output: URL, testAccuracy: Double? = nil, flipAveraging: Bool? = nil
    ) throws -> ModelCard {
        let folder = output.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExportError.missingFolder(folder.path)
        }
        let path = modelFile.path
        if let problem = FileReading.notAFile(atPath: path) { throw ModelError.modelFile(path: path, reason: problem) }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw ModelError.modelFile(path: path, reason: "cannot read the file (missing or unreadable)")
        }
        // Read once: the same bytes give the model and its version.
        let bytes = [UInt8](contents)
        let file = try ModelFile.decode(bytes, path: path)
        let version = String(MD5.hex(of: bytes).prefix(12))
        let flip = file.flipAveraging(overriding: flipAveraging)
        let onnx = try encode(file, version: version, flipAveraging: flip)
        let card = ModelCard(
            file: file, onnxFile: output.lastPathComponent, version: version, testAccuracy: testAccuracy,
            flipAveraging: flip)
        try AtomicFile.write(onnx, to: output)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(card)), to: URL(fileURLWithPath: output.path + ".json"))
        return card
    }
}
