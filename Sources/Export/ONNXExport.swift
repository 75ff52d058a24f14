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
        try encode(ensemble: [file], version: version, flipAveraging: flipAveraging)
    }

    /// The ONNX bytes of an ensemble's graph (one file: that model alone): the mean of the
    /// members' probabilities, each with its own flip averaging unless `flipAveraging` overrides
    /// them all; the metadata has the first member's class names and preprocessing (the members
    /// must share them: `ModelFile.ensembleProblem`), and each member's architecture.
    public static func encode(ensemble files: [ModelFile], version: String, flipAveraging: Bool? = nil)
        throws(ExportError) -> [UInt8]
    {
        guard let file = files.first else { throw .unsupported(layer: "model", reason: "no model file given") }
        let flips = files.map { $0.flipAveraging(overriding: flipAveraging) }
        let flip = flips.contains(true)
        let graph = try ONNXExporter.graph(of: zip(files.map(\.model), flips).map { ($0, $1) })
        let outline = files.map(\.model.specification.outline).joined(separator: " + ")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        let model = ONNXModel(
            producerVersion: ModelCard.producerVersion,
            docString:
                "A fashion \(file.isMultiLabel ? "tagger" : "classifier"): \(files.count > 1 ? "the mean of " : "")"
                + "\(outline); input "
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
            ] + (file.isMultiLabel ? [("multi_label", "true"), ("thresholds", json(file.decisionThresholds))] : [])
                + (files.count > 1
                    ? [
                        ("ensemble_architectures", json(files.map(\.model.specification))),
                        ("ensemble_flip_averaging", json(flips)),
                    ]
                    : []))
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
        try write(ensemble: [modelFile], to: output, testAccuracy: testAccuracy, flipAveraging: flipAveraging)
    }

    /// The same for an ensemble of model files (one file: that model alone); its version is the
    /// MD5 of the files one after another, as `fashion serve` versions it.
    @discardableResult
    public static func write(
        ensemble modelFiles: [URL], to output: URL, testAccuracy: Double? = nil, flipAveraging: Bool? = nil
    ) throws -> ModelCard {
        let folder = output.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExportError.missingFolder(folder.path)
        }
        var bytes = [UInt8]()
        var files = [ModelFile]()
        for modelFile in modelFiles {
            // Read once: the same bytes give the model and its version.
            let (own, ownBytes) = try ModelFile.readWithBytes(from: modelFile)
            files.append(own)
            bytes += ownBytes
        }
        if let reason = ModelFile.ensembleProblem(files, paths: modelFiles.map(\.path)) {
            throw ModelError.modelFile(path: modelFiles[0].path, reason: reason)
        }
        guard let file = files.first else {
            throw ExportError.unsupported(layer: "model", reason: "no model file given")
        }
        let version = String(MD5.hex(of: bytes).prefix(12))
        let flips = files.map { $0.flipAveraging(overriding: flipAveraging) }
        let onnx = try encode(ensemble: files, version: version, flipAveraging: flipAveraging)
        var card = ModelCard(
            file: file, onnxFile: output.lastPathComponent, version: version, testAccuracy: testAccuracy,
            flipAveraging: flips.contains(true))
        if files.count > 1 {
            card.members = zip(files, flips).map {
                ModelCard.Member(architecture: $0.model.specification.outline, flipAveraging: $1)
            }
        }
        try AtomicFile.write(onnx, to: output)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(card)), to: URL(fileURLWithPath: output.path + ".json"))
        return card
    }
}
