import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Testing
import _TestSupport

@testable import Export

/// Exported files, checked by onnx's checker and run in onnxruntime against `fashion`'s own
/// probabilities (`Scripts/check_onnx.py`).
@Suite(.serialized, .timeLimit(.minutes(10))) struct ONNXExportTests {
    /// Python with onnx and onnxruntime (`make test` pip-installs them).
    static let pythonHasONNX: Bool = {
        (try? CommandRunner.runBlocking(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import onnx, onnxruntime"]))?
            .status == 0
    }()
    static let skipReason = Comment(
        rawValue: "needs python3 with onnx and onnxruntime (make test installs them with pip) and the real data: "
            + RealData.missingMessage)
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/check_onnx.py")

    static let dataset: Dataset? = try? Dataset.load(
        from: DatasetLocator.locate(explicit: RealData.folder, environment: [:]))

    /// The models: every preset, and a model with a residual block and the layer kinds no
    /// preset has (average pooling with padding, global average pooling, GELU, ELU, LeakyReLU,
    /// tanh, sigmoid).
    static let models: [(String, ModelSpecification)] =
        Preset.all.map { ($0.name, $0.model) } + [
            (
                "residual",
                ModelSpecification(
                    inputSize: 784, inputShape: [28, 28, 1],
                    layers: [
                        LayerSpecification(kind: .conv2D, filters: 8, kernelSize: 3, stride: 2, padding: .same),
                        LayerSpecification(kind: .batchNorm, momentum: 0.9, epsilon: 1e-5),
                        LayerSpecification(kind: .leakyReLU, alpha: 0.2),
                        LayerSpecification(
                            kind: .residual,
                            layers: [
                                LayerSpecification(kind: .conv2D, filters: 8, kernelSize: 3, padding: .same),
                                LayerSpecification(kind: .elu, alpha: 0.5),
                            ]),
                        LayerSpecification(kind: .averagePool2D, kernelSize: 3, stride: 2, padding: .same),
                        LayerSpecification(kind: .conv2D, filters: 6, kernelSize: 5, padding: .valid),
                        LayerSpecification(kind: .tanh),
                        LayerSpecification(kind: .globalAveragePool),
                        LayerSpecification(kind: .dense, units: 16), LayerSpecification(kind: .gelu),
                        LayerSpecification(kind: .residual, layers: [LayerSpecification(kind: .dense, units: 16)]),
                        LayerSpecification(kind: .sigmoid), LayerSpecification(kind: .dropout, rate: 0.2),
                        LayerSpecification(kind: .dense, units: 10), LayerSpecification(kind: .softmax),
                    ])
            ),
            // A tagger: sigmoid probabilities, trained on the classes as tags.
            ("tagger", Tagging.model(Preset.named("cnn-small")!.model)),
        ]

    @Test(
        .enabled(if: pythonHasONNX && RealData.isPresent, skipReason),
        arguments: models.map(\.0))
    func onnxruntimeGivesFashionsProbabilities(name: String) async throws {
        let dataset = try #require(Self.dataset)
        let specification = try #require(Self.models.first { $0.0 == name }?.1)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        // A short training (512 images, one epoch), so batch norm's statistics and the weights
        // are a trained model's, not the initial ones.
        let model = try Sequential(specification: specification, seed: 5)
        let tags = name == "tagger"
        let train = tags ? dataset.train.subset(0..<512).withClassesAsTags(tagCount: 10) : dataset.train.subset(0..<512)
        var options = Preset.named(name)?.options ?? (tags ? Tagging.options(TrainingOptions()) : TrainingOptions())
        options.epochs = 1
        options.batchSize = 64
        _ = try Trainer.fit(model, on: train, options: options, threads: 2)
        let modelURL = temp.file("model.safetensors")
        try ModelFile(
            model: model, classNames: dataset.classNames, preprocessing: Preprocessing(image: dataset.train.shape),
            training: options, thresholds: tags ? (0..<10).map { 0.3 + Float($0) * 0.02 } : nil
        )
        .write(to: modelURL)
        let onnxURL = temp.file("model.onnx")
        let card = try ONNXExport.write(modelFile: modelURL, to: onnxURL, testAccuracy: 0.5)
        #expect(card.classNames == dataset.classNames && card.testAccuracy == 0.5)
        #expect(card.thresholds == (tags ? (0..<10).map { 0.3 + Float($0) * 0.02 } : nil))

        // fashion's own probabilities for the first 1,000 test images, through the classifier.
        let test = dataset.test.subset(0..<1000)
        // As `fashion predict` would: with the flip averaging the model file asks for (cnn-small, cnn-best).
        let classifier = try Classifier(contentsOf: modelURL)
        #expect(card.flipAveraging == ["cnn-small", "cnn-best"].contains(name))
        let expected = try classifier.probabilities(pixels: test.pixels, count: test.count)
        let inputs = test.pixels.map { Float($0) / 255 }
        try Data(ProtobufWriter.rawFloats(inputs)).write(to: temp.file("inputs.f32"))
        try Data(ProtobufWriter.rawFloats(expected)).write(to: temp.file("expected.f32"))
        let shape = model.imageShape.map { "1000,\($0.height),\($0.width),\($0.channels)" } ?? "1000,\(model.inputSize)"
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Self.script.path, onnxURL.path, temp.file("inputs.f32").path, temp.file("expected.f32").path,
                shape,
            ])
        #expect(check.status == 0, Comment(rawValue: check.standardOutput + check.standardError))
        print("ONNX check of \(name): \(check.standardOutput)", terminator: "")
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        #expect((report?["max_abs_difference"] as? Double ?? 1) <= 1e-5)
        #expect(report?["top_class_agreement"] as? Double == 1)
        #expect(report?["ir_version"] as? Int == 10 && report?["opset"] as? Int == 21)
        #expect(report?["class_names"] as? [String] == dataset.classNames)
        #expect(report?["version"] as? String == card.version)
    }

    /// An ensemble of a CNN with flip averaging and a dense network (which takes the images
    /// flattened): one graph, the mean of the two, as `fashion predict` computes it.
    @Test(.enabled(if: pythonHasONNX && RealData.isPresent, skipReason))
    func anEnsembleExportsToTheMeanOfItsMembers() async throws {
        let dataset = try #require(Self.dataset)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var urls = [URL]()
        for (index, name) in ["cnn-small", "model3"].enumerated() {
            let preset = try #require(Preset.named(name))
            let model = try Sequential(specification: preset.model, seed: UInt64(index + 1))
            var options = preset.options
            options.epochs = 1
            options.batchSize = 64
            _ = try Trainer.fit(model, on: dataset.train.subset(0..<512), options: options, threads: 2)
            let url = temp.file("\(name).safetensors")
            try ModelFile(
                model: model, classNames: dataset.classNames, preprocessing: Preprocessing(image: dataset.train.shape),
                training: options
            )
            .write(to: url)
            urls.append(url)
        }
        let onnxURL = temp.file("ensemble.onnx")
        let card = try ONNXExport.write(ensemble: urls, to: onnxURL)
        #expect(card.members?.map(\.flipAveraging) == [true, false] && card.flipAveraging)
        #expect(card.input.shape == ["N", "28", "28", "1"])
        let classifier = try Classifier(
            ensemble: urls.map { try ModelFile.read(from: $0) }, paths: urls.map(\.path))
        let test = dataset.test.subset(0..<500)
        let expected = try classifier.probabilities(pixels: test.pixels, count: test.count)
        let alone = try Classifier(contentsOf: urls[0]).probabilities(pixels: test.pixels, count: test.count)
        #expect(zip(expected, alone).contains { abs($0 - $1) > 1e-3 })
        try Data(ProtobufWriter.rawFloats(test.pixels.map { Float($0) / 255 })).write(to: temp.file("inputs.f32"))
        try Data(ProtobufWriter.rawFloats(expected)).write(to: temp.file("expected.f32"))
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Self.script.path, onnxURL.path, temp.file("inputs.f32").path, temp.file("expected.f32").path,
                "500,28,28,1",
            ])
        #expect(check.status == 0, Comment(rawValue: check.standardOutput + check.standardError))
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        #expect((report?["max_abs_difference"] as? Double ?? 1) <= 1e-5)
        #expect(report?["version"] as? String == card.version)

        // Members that name other classes are refused, naming the file.
        let other = temp.file("other.safetensors")
        let file = try ModelFile.read(from: urls[1])
        try ModelFile(
            model: file.model, classNames: file.classNames.reversed(), preprocessing: file.preprocessing
        ).write(to: other)
        let error = #expect(throws: ModelError.self) {
            try ONNXExport.write(ensemble: [urls[0], other], to: temp.file("bad.onnx"))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("must name the same classes"))
        #expect(!FileManager.default.fileExists(atPath: temp.file("bad.onnx").path))
    }

    /// A quantized model (`fashion quantize`) exports as QDQ: onnxruntime, which fuses the
    /// QuantizeLinear/DequantizeLinear pairs into its 8-bit products, gives the same top class
    /// for at least 99.9% of 1,000 test images, the probabilities within 0.01 (an input that falls
    /// on the other side of a rounding step in one of them moves a probability by a few thousandths).
    @Test(
        .enabled(if: pythonHasONNX && RealData.isPresent, skipReason), arguments: ["model3", "cnn-small"])
    func aQuantizedModelExportsAsQuantizeDequantizePairs(name: String) async throws {
        let dataset = try #require(Self.dataset)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let preset = try #require(Preset.named(name))
        let model = try Sequential(specification: preset.model, seed: 2)
        var options = preset.options
        options.epochs = 1
        options.batchSize = 64
        options.flipAveraging = false
        _ = try Trainer.fit(model, on: dataset.train.subset(0..<1024), options: options, threads: 2)
        let calibration = Matrix(rows: 256, columns: 784)
        dataset.train.subset(2000..<2256).fillBatch(indices: 0..<256, into: calibration.buffer)
        let (quantized, record) = try model.quantizedInt8(calibration: calibration)
        let url = temp.file("q.safetensors")
        try ModelFile(
            model: quantized, classNames: dataset.classNames, preprocessing: Preprocessing(image: dataset.train.shape),
            training: options, quantization: record
        ).write(to: url)
        let onnxURL = temp.file("q.onnx")
        _ = try ONNXExport.write(modelFile: url, to: onnxURL)
        let test = dataset.test.subset(0..<1000)
        let expected = try Classifier(contentsOf: url).probabilities(pixels: test.pixels, count: test.count)
        try Data(ProtobufWriter.rawFloats(test.pixels.map { Float($0) / 255 })).write(to: temp.file("inputs.f32"))
        try Data(ProtobufWriter.rawFloats(expected)).write(to: temp.file("expected.f32"))
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Self.script.path, onnxURL.path, temp.file("inputs.f32").path, temp.file("expected.f32").path,
                model.imageShape == nil ? "1000,784" : "1000,28,28,1", "1e-2", "0.999",
            ])
        print("ONNX check of quantized \(name): \(check.standardOutput)", terminator: "")
        #expect(check.status == 0, Comment(rawValue: check.standardOutput + check.standardError))
        let report = try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any]
        #expect((report?["top_class_agreement"] as? Double ?? 0) >= 0.999)
    }

    @Test func aLayerWithNoONNXFormIsRefusedByName() throws {
        let model = try Sequential(inputSize: 4, seed: 1) {
            Dense(units: 3)
            Squaring()
            Softmax()
        }
        let error = #expect(throws: ExportError.self) { try ONNXExporter.graph(of: model) }
        #expect(error?.description.hasPrefix("layer 1: no ONNX form for a layer of type Squaring") == true)
    }

    @Test func anOutputInAMissingFolderIsAClearError() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try Sequential(inputSize: 4, seed: 1) {
            Dense(units: 2)
            Softmax()
        }
        let url = temp.file("m.safetensors")
        try ModelFile(
            model: model, classNames: ["a", "b"], preprocessing: Preprocessing(image: ImageShape(height: 2, width: 2))
        )
        .write(to: url)
        let missing = temp.file("nowhere/m.onnx")
        let error = #expect(throws: ExportError.self) { try ONNXExport.write(modelFile: url, to: missing) }
        #expect(error?.description == "output: the folder \(temp.file("nowhere").path) does not exist; create it first")
        #expect(!FileManager.default.fileExists(atPath: temp.file("nowhere").path))
        // A damaged model file is the model file's error, naming it.
        try Data("not a model".utf8).write(to: temp.file("bad.safetensors"))
        #expect(throws: ModelError.self) {
            try ONNXExport.write(modelFile: temp.file("bad.safetensors"), to: temp.file("b.onnx"))
        }
    }

    /// A model file written before the seams issue (the first preprocessing layout) exports.
    @Test func aModelFileOfTheFirstFormatExports() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let old = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NeuralNetTests/Fixtures/model-format-1.safetensors")
        let card = try ONNXExport.write(modelFile: old, to: temp.file("old.onnx"))
        #expect(card.input.shape == ["N", "784"] && card.output.shape == ["N", "10"])
        #expect(card.preprocessing.image == ImageShape(height: 28, width: 28, channels: 1))
        let cardFile = try JSONDecoder().decode(ModelCard.self, from: Data(contentsOf: temp.file("old.onnx.json")))
        #expect(cardFile == card)
    }

    /// The wire format by hand: a varint of 300 is AC 02; a nested message is its length then it.
    @Test func theProtobufWriterFollowsTheWireFormat() {
        var w = ProtobufWriter()
        w.integer(1, 300)
        w.string(2, "hi")
        w.integer(3, -1)
        w.message(4) { $0.integer(1, 1) }
        w.float(5, 1.5)
        #expect(
            w.bytes == [
                0x08, 0xAC, 0x02, 0x12, 0x02, 0x68, 0x69, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0x01,
                0x22, 0x02, 0x08, 0x01, 0x2D, 0x00, 0x00, 0xC0, 0x3F,
            ])
    }
}

/// A layer ONNX export does not know: x².
final class Squaring: Layer {
    var specification: LayerSpecification { LayerSpecification(kind: .relu) }
    func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] { inputShape }
    func forward(_ input: Matrix, training: Bool) -> Matrix {
        Matrix(rows: input.rows, columns: input.columns, values: input.values.map { $0 * $0 })
    }
    func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? { nil }
    func sharingWeights() -> any Layer { Squaring() }
}
