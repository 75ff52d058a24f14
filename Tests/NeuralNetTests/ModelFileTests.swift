import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct ModelFileTests {
    func trainedModel() throws -> Sequential {
        let model = try Sequential(inputSize: 8, seed: 2) {
            Dense(units: 6)
            ReLU()
            BatchNorm()
            Dense(units: 3)
            Softmax()
        }
        _ = try Trainer.fit(model, on: blobs(count: 60, seed: 1), options: TrainingOptions(epochs: 2))
        return model
    }

    @Test func roundTripGivesTheSamePredictions() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try trainedModel()
        let url = temp.file("m.safetensors")
        try ModelFile(
            model: model, classNames: ["a", "b", "c"], preprocessing: .init(image: ImageShape(height: 2, width: 4)),
            training: TrainingOptions(epochs: 2)
        ).write(to: url)
        let loaded = try ModelFile.read(from: url)
        #expect(loaded.classNames == ["a", "b", "c"])
        #expect(loaded.preprocessing.image == ImageShape(height: 2, width: 4, channels: 1))
        #expect(loaded.training?.epochs == 2)
        #expect(loaded.model.specification == model.specification)
        let data = blobs(count: 20, seed: 9)
        #expect(Trainer.predict(loaded.model, on: data) == Trainer.predict(model, on: data))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.url.path) == ["m.safetensors"])
    }

    @Test func theHeldOutSplitRoundTripsAndABadOneIsRefused() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try Sequential(specification: .dense([8, 3]), seed: 1)
        let url = temp.file("h.safetensors")
        func write(_ heldOut: HeldOutSplit?) throws {
            try ModelFile(
                model: model, classNames: ["a", "b", "c"], preprocessing: .init(image: ImageShape(height: 2, width: 4)),
                heldOut: heldOut
            ).write(to: url)
        }
        try write(HeldOutSplit(fraction: 0.1, seed: 7))
        #expect(try ModelFile.read(from: url).heldOut == HeldOutSplit(fraction: 0.1, seed: 7))
        try write(nil)
        #expect(try ModelFile.read(from: url).heldOut == nil)
        for bad in [0, 1, 1.5, -0.2] {
            try write(HeldOutSplit(fraction: bad, seed: 7))
            #expect {
                try ModelFile.read(from: url)
            } throws: { "\($0)".contains("metadata 'validation_split': expected a fraction in (0, 1), found \(bad)") }
        }
    }

    @Test func aTaggersThresholdsRoundTripAndBadOnesAreRefused() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try Sequential(specification: Tagging.model(.dense([8, 3])), seed: 1)
        let url = temp.file("t.safetensors")
        func write(_ thresholds: [Float]?) throws {
            try ModelFile(
                model: model, classNames: ["a", "b", "c"], preprocessing: .init(image: ImageShape(height: 2, width: 4)),
                thresholds: thresholds
            ).write(to: url)
        }
        try write([0.25, 0.5, 0.875])
        let loaded = try ModelFile.read(from: url)
        #expect(loaded.isMultiLabel && loaded.thresholds == [0.25, 0.5, 0.875])
        try write(nil)
        #expect(try ModelFile.read(from: url).decisionThresholds == [0.5, 0.5, 0.5])
        for bad: [Float] in [[0.5, 0.5], [0.5, 1.5, 0.5], [-0.1, 0.5, 0.5]] {
            try write(bad)
            #expect {
                try ModelFile.read(from: url)
            } throws: { "\($0)".contains("metadata 'thresholds': expected 3 numbers in [0, 1]") }
        }
        // A preset ends in sigmoid for tags; a classifier does not tag.
        #expect(
            Preset.named("cnn-small")!.model.adapted(
                toImages: ImageShape(height: 28, width: 28), classes: 5,
                multiLabel: true
            ).layers.last?.kind == .sigmoid)
        #expect(!(try ModelFile.read(from: try writeClassifier(temp))).isMultiLabel)
    }

    func writeClassifier(_ temp: TemporaryFolder) throws -> URL {
        let url = temp.file("c.safetensors")
        try ModelFile(
            model: try trainedModel(), classNames: ["a", "b", "c"],
            preprocessing: .init(image: ImageShape(height: 2, width: 4))
        ).write(to: url)
        return url
    }

    @Test func damagedAndForeignFilesGetClearErrors() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("m.safetensors")
        try ModelFile(
            model: try trainedModel(), classNames: ["a", "b", "c"],
            preprocessing: .init(image: ImageShape(height: 2, width: 4))
        ).write(to: url)
        let good = [UInt8](try Data(contentsOf: url))

        func error(for bytes: [UInt8]) throws -> String {
            let bad = temp.file("bad.safetensors")
            try Data(bytes).write(to: bad)
            do {
                _ = try ModelFile.read(from: bad)
                return "no error"
            } catch { return error.description }
        }
        let truncated = try error(for: Array(good.prefix(good.count - 10)))
        #expect(truncated.contains("data_offsets") && truncated.contains("do not fit"))
        #expect(try error(for: [1, 2, 3]).contains("too short for a safetensors file"))
        #expect(try error(for: Array("not a model at all, just some text".utf8)).contains("not a safetensors file"))
        let foreign = SafeTensors.encode([.init(name: "w", shape: [2], values: [1, 2])], metadata: ["format": "pt"])
        #expect(
            try error(for: foreign).contains(
                "not a fashion model (metadata 'format' is 'pt', expected 'fashion-model')"))
        let missingTensor = try error(for: rewrite(good) { tensors in tensors.filter { $0.name != "0.bias" } })
        #expect(missingTensor.contains("tensor '0.bias' is missing"))
        let wrongShape = try error(
            for: rewrite(good) { tensors in
                tensors.map {
                    $0.name == "0.kernel" ? SafeTensors.Tensor(name: $0.name, shape: [6, 8], values: $0.values) : $0
                }
            })
        #expect(wrongShape.contains("tensor '0.kernel' has shape [6, 8]; the architecture needs [8, 6]"))
        #expect(throws: ModelError.self) { try ModelFile.read(from: temp.file("absent.safetensors")) }
    }

    func rewrite(
        _ bytes: [UInt8], _ tensors: ([SafeTensors.Tensor]) -> [SafeTensors.Tensor] = { $0 },
        metadata change: ([String: String]) -> [String: String] = { $0 }
    ) throws -> [UInt8] {
        let (decoded, metadata) = try SafeTensors.decode(bytes, path: "x")
        return SafeTensors.encode(tensors(decoded), metadata: change(metadata))
    }

    @Test func filesOfTheFirstLayoutLoadAndBadPreprocessingOrWeightsAreRefused() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("m.safetensors")
        let model = try trainedModel()
        try ModelFile(
            model: model, classNames: ["a", "b", "c"], preprocessing: .init(image: ImageShape(height: 2, width: 4))
        ).write(to: url)
        let good = [UInt8](try Data(contentsOf: url))
        let metadata = try SafeTensors.decode(good, path: "x").metadata
        #expect(
            metadata["preprocessing"]
                == #"{"channels":1,"height":2,"photos":"fashion_mnist","scaling":"divide_by_255","width":4}"#)
        func read(_ bytes: [UInt8]) throws -> ModelFile {
            let file = temp.file("other.safetensors")
            try Data(bytes).write(to: file)
            return try ModelFile.read(from: file)
        }
        func error(_ bytes: [UInt8]) -> String {
            do {
                _ = try read(bytes)
                return "no error"
            } catch { return "\(error)" }
        }
        // The first layout of the record, as files written before it had fields say it.
        let old = try rewrite(
            good,
            metadata: { m in
                var m = m
                m["preprocessing"] = #"{"imageColumns":4,"imageRows":2,"scaling":"divide by 255"}"#
                return m
            })
        let loaded = try read(old)
        #expect(loaded.preprocessing == Preprocessing(image: ImageShape(height: 2, width: 4, channels: 1)))
        #expect(
            Trainer.predict(loaded.model, on: blobs(count: 5, seed: 2))
                == Trainer.predict(model, on: blobs(count: 5, seed: 2)))

        for (text, expected) in [
            (#"{"height":0,"width":0,"channels":1}"#, "metadata 'preprocessing': 'height' must be 1...4096, found 0"),
            (
                #"{"height":100000,"width":100000,"channels":1}"#,
                "metadata 'preprocessing': 'height' must be 1...4096, found 100000"
            ),
            (#"{"height":2,"width":4,"channels":2}"#, "metadata 'preprocessing': 'channels' must be 1 or 3, found 2"),
            (#"{"height":4,"width":4,"channels":1}"#, "an image of 4x4x1 is 16 values; the model takes 8"),
            (
                #"{"imageRows":2,"imageColumns":4,"scaling":"times 2"}"#,
                "metadata 'preprocessing' is missing or malformed"
            ),
        ] {
            let bytes = try rewrite(
                good,
                metadata: { m in
                    var m = m
                    m["preprocessing"] = text
                    return m
                })
            #expect(error(bytes).contains(expected), "\(text)")
        }
        let infinite = try rewrite(good) { tensors in
            tensors.map {
                $0.name == "2.gamma"
                    ? SafeTensors.Tensor(name: $0.name, shape: $0.shape, values: [1, .infinity, 1, 1, 1, 1]) : $0
            }
        }
        #expect(error(infinite).contains("tensor '2.gamma' holds inf at index 1; weights must be finite"))
    }

    @Test func headerFollowsTheSafetensorsLayout() throws {
        let bytes = SafeTensors.encode([.init(name: "t", shape: [1, 2], values: [1.5, -2])], metadata: ["k": "v"])
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any]
        let tensor = header?["t"] as? [String: Any]
        #expect(tensor?["dtype"] as? String == "F32")
        #expect(tensor?["data_offsets"] as? [Int] == [0, 8])
        #expect(Array(bytes[(8 + length)...]) == [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0])  // 1.5 and -2, little-endian
    }

    /// A model file written by the version before the preprocessing record had fields
    /// (`fashion train --model 784-16-10 --epochs 2 --seed 3`, committed).
    @Test func aFileOfTheFirstFormatStillLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/model-format-1.safetensors")
        let file = try ModelFile.read(from: url)
        #expect(file.preprocessing == Preprocessing(image: ImageShape(height: 28, width: 28, channels: 1)))
        #expect(file.model.specification == .dense([784, 16, 10]))
        #expect(file.training?.epochs == 2 && file.training?.seed == 3 && file.training?.loss == .softmaxCrossEntropy)
        #expect(file.classNames.count == 10 && file.classNames[6] == "Shirt")
        let probabilities = Trainer.predict(
            file.model, on: InMemoryData(features: [Float](repeating: 0.5, count: 784), labels: [0], featureCount: 784))
        #expect(probabilities.count == 10 && abs(probabilities.reduce(0, +) - 1) < 1e-5)
    }

    /// As Python's safetensors: tensors tile the data, in order, without gaps or overlaps, and
    /// a shape whose product overflows is an error, not a trap.
    @Test func overlappingOrOversizedTensorsAreRefused() throws {
        func file(_ header: String, data: Int) -> [UInt8] {
            var json = Array(header.utf8)
            while json.count % 8 != 0 { json.append(0x20) }
            var bytes = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
            bytes += json
            bytes += [UInt8](repeating: 0, count: data)
            return bytes
        }
        func error(_ bytes: [UInt8]) -> String {
            do {
                _ = try SafeTensors.decode(bytes, path: "t.safetensors")
                return "no error"
            } catch { return error.description }
        }
        let good = file(
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"#
                + #""data_offsets":[8,12]}}"#,
            data: 12)
        #expect(error(good) == "no error")
        let overlap = file(
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"#
                + #""data_offsets":[4,8]}}"#,
            data: 8)
        #expect(error(overlap).contains("tensor 'b' starts at byte 4 of the data, expected 8"))
        let gap = file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)
        #expect(error(gap).contains("tensor 'a' starts at byte 4 of the data, expected 0"))
        let trailing = file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 8)
        #expect(error(trailing).contains("the tensors end at byte 4 of the data, but the file has 8 bytes"))
        let huge = file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: 4)
        #expect(error(huge).contains("more values than the file holds"))
    }
}
