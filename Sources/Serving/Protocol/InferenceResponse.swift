import Foundation
import Inference

/// Which outputs a request wants, and whether each comes as JSON `data` or as binary data
/// after the JSON (the binary tensor extension).
struct OutputSelection {
    static let probabilities = "probabilities"
    static let topClasses = "top_classes"
    static let topIndices = "top_indices"
    /// A tagging model's tags of each image over their thresholds, `|`-separated (BYTES `[N]`).
    static let tags = "tags"
    static let all = [probabilities, topClasses, topIndices]

    static func names(multiLabel: Bool) -> [String] { multiLabel ? all + [tags] : all }

    /// In the order they are answered.
    let outputs: [(name: String, binary: Bool)]
    let topK: Int

    init(_ request: InferenceRequest, classCount: Int, multiLabel: Bool = false) throws(ServingError) {
        let k = request.topK ?? min(3, classCount)
        guard k >= 1, k <= classCount else {
            throw .badRequest("parameters.top_k: expected 1 to \(classCount) (the model's classes), found \(k)")
        }
        topK = k
        let known = Self.names(multiLabel: multiLabel)
        guard let requested = request.outputs else {
            outputs = known.map { ($0, request.binaryOutputs) }
            return
        }
        var outputs = [(name: String, binary: Bool)]()
        for output in requested {
            guard known.contains(output.name) else {
                throw .badRequest(
                    "outputs: unknown output '\(output.name)'; the model gives "
                        + known.map { "'\($0)'" }.joined(separator: ", ")
                        + (output.name == Self.tags ? " (it classifies; only a tagging model has 'tags')" : ""))
            }
            guard !outputs.contains(where: { $0.name == output.name }) else {
                throw .badRequest("outputs: '\(output.name)' is asked for twice")
            }
            outputs.append((output.name, output.binary ?? request.binaryOutputs))
        }
        self.outputs = outputs
    }
}

/// A V2 inference response: JSON, followed by the binary outputs if any were asked for in
/// binary (then `Inference-Header-Content-Length` gives the JSON's length).
struct InferenceResponse {
    let model: ModelRepository.Model
    let id: String?
    let probabilities: [Float]
    let count: Int
    let outputs: OutputSelection

    func encoded() -> ServeResponse {
        let classifier = model.classifier
        let classes = classifier.classCount
        let top =
            outputs.outputs.contains { $0.name == OutputSelection.topClasses || $0.name == OutputSelection.topIndices }
            ? classifier.topClasses(probabilities, top: outputs.topK) : []
        let tags =
            outputs.outputs.contains { $0.name == OutputSelection.tags }
            ? classifier.tags(probabilities).map { $0.map(\.className).joined(separator: "|") } : []
        var json = JSONWriter(capacity: 256 + probabilities.count * 12)
        var binary = [UInt8]()
        json.raw("{")
        json.field("model_name", model.name)
        json.field("model_version", model.version)
        if let id {
            json.field("id", id)
        }
        json.key("outputs")
        json.array(outputs.outputs) { json, output in
            json.raw("{")
            json.field("name", output.name)
            let datatype: String
            let shape: [Int]
            switch output.name {
            case OutputSelection.probabilities: (datatype, shape) = ("FP32", [count, classes])
            case OutputSelection.topClasses: (datatype, shape) = ("BYTES", [count, outputs.topK])
            case OutputSelection.tags: (datatype, shape) = ("BYTES", [count])
            default: (datatype, shape) = ("INT32", [count, outputs.topK])
            }
            json.field("datatype", datatype)
            json.key("shape")
            json.array(shape) { $0.number($1) }
            json.raw(",")
            if output.binary {
                let before = binary.count
                switch output.name {
                case OutputSelection.probabilities:
                    for value in probabilities { Self.append(value.bitPattern, to: &binary) }
                case OutputSelection.topClasses:
                    for row in top {
                        for score in row {
                            let name = Array(score.className.utf8)
                            Self.append(UInt32(name.count), to: &binary)
                            binary.append(contentsOf: name)
                        }
                    }
                case OutputSelection.tags:
                    for text in tags {
                        Self.append(UInt32(text.utf8.count), to: &binary)
                        binary.append(contentsOf: Array(text.utf8))
                    }
                default:
                    for row in top {
                        for score in row { Self.append(UInt32(bitPattern: Int32(score.classIndex)), to: &binary) }
                    }
                }
                json.key("parameters")
                json.raw("{")
                json.key("binary_data_size")
                json.number(binary.count - before)
                json.raw("}")
            } else {
                json.key("data")
                switch output.name {
                case OutputSelection.probabilities: json.array(probabilities) { $0.number($1) }
                case OutputSelection.topClasses: json.array(top.joined()) { $0.string($1.className) }
                case OutputSelection.tags: json.array(tags) { $0.string($1) }
                default: json.array(top.joined()) { $0.number($1.classIndex) }
                }
            }
            json.raw("}")
        }
        json.raw("}")
        if binary.isEmpty && !outputs.outputs.contains(where: \.binary) { return .json(200, json) }
        return ServeResponse(
            status: 200,
            headers: [
                ("Content-Type", "application/octet-stream"),
                ("Inference-Header-Content-Length", String(json.bytes.count)),
            ],
            body: json.bytes + binary)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }
}

/// A model's metadata (`GET /v2/models/{m}[/versions/{v}]`): its inputs and outputs with
/// datatypes and shapes, -1 for the batch and for `top_k`.
enum ModelMetadata {
    static let platform = "fashion_safetensors"

    static func json(_ model: ModelRepository.Model, versions: [ModelRepository.Model]) -> JSONWriter {
        let classes = model.classifier.classCount
        let tensors: (inout JSONWriter, (String, String, [Int])) -> Void = { json, tensor in
            json.raw("{")
            json.field("name", tensor.0)
            json.field("datatype", tensor.1)
            json.key("shape")
            json.array(tensor.2) { $0.number($1) }
            json.raw("}")
        }
        return InferenceServer.object { json in
            json.field("name", model.name)
            json.key("versions")
            json.array(versions.map(\.version)) { $0.string($1) }
            json.raw(",")
            json.field("platform", platform)
            json.key("inputs")
            json.array(
                [(ModelInput.tensorName, "FP32", model.inputShape), (ModelInput.photosName, "BYTES", [-1])], tensors)
            json.raw(",")
            json.key("outputs")
            json.array(
                [
                    (OutputSelection.probabilities, "FP32", [-1, classes]),
                    (OutputSelection.topClasses, "BYTES", [-1, -1]),
                    (OutputSelection.topIndices, "INT32", [-1, -1]),
                ] + (model.classifier.isMultiLabel ? [(OutputSelection.tags, "BYTES", [-1])] : []), tensors)
            json.raw(",")
            json.key("parameters")
            json.raw("{")
            json.field("class_names", model.classifier.classNames.joined(separator: ","))
            if model.classifier.isMultiLabel {
                json.field(
                    "thresholds", model.classifier.thresholds.map { "\($0)" }.joined(separator: ","))
            }
            json.key("version")
            json.string(model.version)
            json.raw("}")
        }
    }
}
