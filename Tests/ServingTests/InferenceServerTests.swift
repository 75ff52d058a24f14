import Explain
import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Testing
import _TestSupport

@testable import Serving

/// The V2 endpoints answered in process (no socket): every endpoint, every input form giving
/// the classifier's own numbers, and every bad request a clear 4xx.
@Suite(.timeLimit(.minutes(10))) struct InferenceServerTests {
    @Test func healthMetadataAndReadinessEndpoints() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, _) = try ServingFixtures.server(in: temp)
        defer { server.shutdown() }
        let version = try server.defaultModel(named: "tiny").version
        #expect(version.count == 12)

        for path in [
            "/v2/health/live", "/v2/health/ready", "/v2/models/tiny/ready", "/v2/models/tiny/versions/\(version)/ready",
        ] {
            let response = await server.respond(to: ServeRequest(method: "GET", path: path))
            #expect(response.status == 200, "\(path)")
        }
        let meta = ServingFixtures.parse(await server.respond(to: ServeRequest(method: "GET", path: "/v2")).body)
        #expect(meta["name"] as? String == "fashion")
        #expect((meta["extensions"] as? [String])?.contains("binary_tensor_data") == true)

        let model = ServingFixtures.parse(
            await server.respond(to: ServeRequest(method: "GET", path: "/v2/models/tiny")).body)
        #expect(model["name"] as? String == "tiny")
        #expect(model["versions"] as? [String] == [version])
        let inputs = model["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.first?["shape"] as? [Int] == [-1, 8, 8, 1])
        #expect(inputs.map { $0["name"] as? String } == ["input", "photos"])
        let outputs = model["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.first?["shape"] as? [Int] == [-1, 3])
        #expect(outputs.map { $0["datatype"] as? String } == ["FP32", "BYTES", "INT32"])

        let index = await server.respond(to: ServeRequest(method: "POST", path: "/v2/repository/index"))
        #expect(index.text.contains("\"state\":\"READY\""))
        let page = await server.respond(to: ServeRequest(method: "GET", path: "/"))
        #expect(page.status == 200 && page.text.contains("const MODELS = [\"tiny\"]"))
    }

    @Test func unknownModelsVersionsPathsAndMethodsAreNamed() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, _) = try ServingFixtures.server(in: temp)
        defer { server.shutdown() }
        let cases: [(String, String, Int, String)] = [
            ("GET", "/v2/models/nope", 404, "unknown model 'nope'; this server has 'tiny'"),
            ("POST", "/v2/models/nope/infer", 404, "unknown model 'nope'"),
            ("GET", "/v2/models/tiny/versions/9/ready", 404, "model 'tiny' has no version '9'"),
            ("GET", "/v3", 404, "GET /v3: no such endpoint"),
            ("GET", "/v2/models/tiny/infer", 405, "this endpoint takes POST"),
            ("DELETE", "/v2/health/live", 405, "this endpoint takes GET"),
        ]
        for (method, path, status, message) in cases {
            let response = await server.respond(to: ServeRequest(method: method, path: path))
            #expect(response.status == status, "\(method) \(path)")
            #expect(ServingFixtures.error(response).contains(message), "\(ServingFixtures.error(response))")
            #expect(response.header("Content-Type") == "application/json")
        }
    }

    @Test func everyFormOfInputGivesTheClassifiersOwnNumbers() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, images) = try ServingFixtures.server(in: temp)
        defer { server.shutdown() }
        let classifier = try server.defaultModel(named: "tiny").classifier
        let count = 5
        let pixels = Array(images.pixels[0..<(count * 64)])
        let expected = try classifier.probabilities(pixels: pixels, count: count)

        let flat = await server.respond(to: ServingFixtures.inferRequest(pixels: pixels, count: count))
        #expect(flat.status == 200, "\(flat.text)")
        #expect(ServingFixtures.floats(flat) == expected)
        #expect(ServingFixtures.parse(flat.body)["id"] as? String == "r1")
        #expect(
            ServingFixtures.parse(flat.body)["model_version"] as? String
                == (try server.defaultModel(named: "tiny").version))
        let nested = await server.respond(to: ServingFixtures.inferRequest(pixels: pixels, count: count, nested: true))
        #expect(ServingFixtures.floats(nested) == expected)

        // FP32 values as the model takes them, [N, 64], in JSON.
        let scaled = pixels.map { Double($0) / 255 }
        let fp32 = await server.respond(
            to: ServeRequest(
                method: "POST", path: "/v2/models/tiny/infer",
                body: ServingFixtures.json([
                    "inputs": [["name": "input", "datatype": "FP32", "shape": [count, 64], "data": scaled]]
                ])))
        #expect(ServingFixtures.floats(fp32) == expected, "\(fp32.text)")

        // Binary tensor extension: UINT8 and FP32 raw data after the JSON, outputs in binary.
        for datatype in ["UINT8", "FP32"] {
            let raw: [UInt8] =
                datatype == "UINT8"
                ? pixels : pixels.flatMap { withUnsafeBytes(of: (Float($0) / 255).bitPattern.littleEndian, Array.init) }
            let header = ServingFixtures.json([
                "inputs": [
                    [
                        "name": "input", "datatype": datatype, "shape": [count, 8, 8, 1],
                        "parameters": ["binary_data_size": raw.count],
                    ]
                ],
                "parameters": ["binary_data_output": true],
            ])
            let response = await server.respond(
                to: ServeRequest(
                    method: "POST", path: "/v2/models/tiny/infer",
                    headers: ["Inference-Header-Content-Length": "\(header.count)"], body: header + raw))
            #expect(response.status == 200, "\(response.text)")
            let jsonLength = Int(response.header("Inference-Header-Content-Length") ?? "") ?? -1
            let json = ServingFixtures.parse(Array(response.body[0..<jsonLength]))
            let outputs = json["outputs"] as? [[String: Any]] ?? []
            let sizes = outputs.map { ($0["parameters"] as? [String: Any])?["binary_data_size"] as? Int ?? -1 }
            #expect(sizes[0] == count * 3 * 4)
            let tail = Array(response.body[jsonLength...])
            #expect(tail.count == sizes.reduce(0, +))
            let probabilities = (0..<(count * 3)).map { i in
                Float(
                    bitPattern: UInt32(tail[4 * i]) | UInt32(tail[4 * i + 1]) << 8 | UInt32(tail[4 * i + 2]) << 16
                        | UInt32(tail[4 * i + 3]) << 24)
            }
            #expect(probabilities == expected, "\(datatype)")
        }
    }

    @Test func topClassesAndTheirIndicesFollowTheProbabilities() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, images) = try ServingFixtures.server(in: temp)
        defer { server.shutdown() }
        let pixels = Array(images.pixels[0..<(4 * 64)])
        var request = ServingFixtures.inferRequest(pixels: pixels, count: 4)
        var body = ServingFixtures.parse(request.body)
        body["parameters"] = ["top_k": 2]
        body["outputs"] = [["name": "top_indices"], ["name": "top_classes"]]
        request.body = ServingFixtures.json(body)
        let response = await server.respond(to: request)
        let outputs = ServingFixtures.parse(response.body)["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.map { $0["name"] as? String } == ["top_indices", "top_classes"])
        #expect(outputs.map { $0["shape"] as? [Int] } == [[4, 2], [4, 2]])
        let indices = outputs[0]["data"] as? [Int] ?? []
        let names = outputs[1]["data"] as? [String] ?? []
        #expect(names == indices.map { ServingFixtures.classNames[$0] })
        let classifier = try server.defaultModel(named: "tiny").classifier
        let expected = classifier.topClasses(try classifier.probabilities(pixels: pixels, count: 4), top: 2)
        #expect(indices == expected.flatMap { $0.map(\.classIndex) })
    }

    @Test func aTaggerAnswersItsTagsOverTheirThresholdsAndAClassifierHasNone() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (classifierURL, images) = try ServingFixtures.modelFile(in: temp)
        let classifierFile = try ModelFile.read(from: classifierURL)
        let tagger = try Sequential(specification: Tagging.model(classifierFile.model.specification), seed: 9)
        let thresholds: [Float] = [0.45, 0.5, 0.55]
        try ModelFile(
            model: tagger, classNames: ServingFixtures.classNames, preprocessing: classifierFile.preprocessing,
            thresholds: thresholds
        ).write(to: temp.file("tagger.safetensors"))
        let repository = try ModelRepository(entries: [
            ModelRepository.Entry(name: "tiny", path: classifierURL.path),
            ModelRepository.Entry(name: "tagger", path: temp.file("tagger.safetensors").path),
        ])
        let server = InferenceServer(repository: repository, settings: InferenceServer.Settings())
        defer { server.shutdown() }
        let pixels = Array(images.pixels[0..<(6 * 64)])
        let response = await server.respond(
            to: ServingFixtures.inferRequest(pixels: pixels, count: 6, model: "tagger"))
        #expect(response.status == 200)
        let outputs = ServingFixtures.parse(response.body)["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.map { $0["name"] as? String } == ["probabilities", "top_classes", "top_indices", "tags"])
        let tags = try #require(outputs.last)
        #expect(tags["shape"] as? [Int] == [6] && tags["datatype"] as? String == "BYTES")
        let classifier = try server.defaultModel(named: "tagger").classifier
        #expect(classifier.isMultiLabel && classifier.thresholds == thresholds)
        let probabilities = try classifier.probabilities(pixels: pixels, count: 6)
        let expected = classifier.tags(probabilities).map { $0.map(\.className).joined(separator: "|") }
        #expect(tags["data"] as? [String] == expected)
        #expect(expected.contains { !$0.isEmpty })
        for (row, names) in expected.enumerated() {
            for (c, name) in ServingFixtures.classNames.enumerated() {
                #expect(
                    names.split(separator: "|").contains(Substring(name))
                        == (probabilities[row * 3 + c] >= thresholds[c]))
            }
        }
        let metadata = await server.respond(to: ServeRequest(method: "GET", path: "/v2/models/tagger", body: []))
        #expect(String(decoding: metadata.body, as: UTF8.self).contains(#""name":"tags","datatype":"BYTES""#))
        // The classifier has no tags to give.
        var asked = ServingFixtures.inferRequest(pixels: pixels, count: 6)
        var body = ServingFixtures.parse(asked.body)
        body["outputs"] = [["name": "tags"]]
        asked.body = ServingFixtures.json(body)
        let refused = await server.respond(to: asked)
        #expect(refused.status == 400)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("only a tagging model has 'tags'"))
    }

    @Test func photosGoThroughThePredictPreparation() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, _) = try ServingFixtures.server(in: temp)
        defer { server.shutdown() }
        // Two PNG photos and a colour JPEG.
        var colour = [UInt8]()
        for i in 0..<(30 * 22) {
            let (x, y) = (i % 30, i / 30)
            colour += [UInt8(x * 8), UInt8(y * 11), UInt8(200 - x * 6)]
        }
        let photos =
            (0..<2).map { ServingFixtures.photo(width: 20 + $0 * 7, height: 16 + $0, seed: $0) } + [
                TestJPEG.encode(width: 30, height: 22, channels: 3, pixels: colour)
            ]
        let classifier = try server.defaultModel(named: "tiny").classifier
        let expected = try classifier.probabilities(
            photos: try photos.map { try PhotoDecoder.decode($0, path: "photo") })
        // In JSON a BYTES element is a string, so photos travel in the binary part.
        var tail = [UInt8]()
        for photo in photos {
            tail += withUnsafeBytes(of: UInt32(photo.count).littleEndian, Array.init) + photo
        }
        let header = ServingFixtures.json([
            "inputs": [
                ["name": "photos", "datatype": "BYTES", "shape": [3], "parameters": ["binary_data_size": tail.count]]
            ]
        ])
        let response = await server.respond(
            to: ServeRequest(
                method: "POST", path: "/v2/models/tiny/infer",
                headers: ["Inference-Header-Content-Length": "\(header.count)"], body: header + tail))
        #expect(response.status == 200, "\(response.text)")
        #expect(ServingFixtures.floats(response) == expected)
    }

    @Test func badRequestsAreClear4xxAndTheServerGoesOn() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var settings = InferenceServer.Settings()
        settings.maxPhotoPixels = 10_000
        let (server, images) = try ServingFixtures.server(in: temp, settings: settings)
        defer { server.shutdown() }
        func input(_ datatype: String, _ shape: [Int], _ data: Any, name: String = "input") -> [UInt8] {
            ServingFixtures.json(["inputs": [["name": name, "datatype": datatype, "shape": shape, "data": data]]])
        }
        func photoRequest(_ photo: [UInt8]) -> ([UInt8], [String: String]) {
            let header = ServingFixtures.json([
                "inputs": [
                    [
                        "name": "photos", "datatype": "BYTES", "shape": [1],
                        "parameters": ["binary_data_size": photo.count + 4],
                    ]
                ]
            ])
            return (
                header + withUnsafeBytes(of: UInt32(photo.count).littleEndian, Array.init) + photo,
                ["Inference-Header-Content-Length": "\(header.count)"]
            )
        }
        var hugePNG = ServingFixtures.photo()
        hugePNG.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])  // 100000 x 100000
        var corruptPNG = ServingFixtures.photo()
        corruptPNG[40] ^= 0xFF
        let cases: [([UInt8], [String: String], Int, String)] = [
            (Array("{\"inputs\": [".utf8), [:], 400, "request body: malformed JSON at byte 12"),
            (Array("[]".utf8), [:], 400, "request body: expected a JSON object, found an array"),
            (Array("{}".utf8), [:], 400, "inputs: expected an array of input tensors, found none"),
            (input("INT64", [1, 64], [Int](repeating: 0, count: 64)), [:], 400, "datatype: expected UINT8"),
            (
                input("UINT8", [1, 28, 28, 1], [Int](repeating: 0, count: 784)), [:], 400,
                "shape: expected [-1, 8, 8, 1] with -1 the number of images (or [-1, 64]), found [1, 28, 28, 1]"
            ),
            (
                input("UINT8", [2, 64], [Int](repeating: 0, count: 64)), [:], 400,
                "shape [2, 64] holds 128 elements; data has 64"
            ),
            (
                input("UINT8", [1, 64], [300] + [Int](repeating: 0, count: 63)), [:], 400,
                "data[0]: expected a UINT8 (0 to 255), found 300"
            ),
            (input("UINT8", [1, 64], ["a"]), [:], 400, "data: expected numbers"),
            (
                input("UINT8", [1, 64], [Int](repeating: 0, count: 64), name: "pixels"), [:], 400,
                "input 'pixels': unknown input"
            ),
            (input("UINT8", [1, -1], [0]), [:], 400, "shape: expected sizes of 0 or more"),
            (input("UINT8", [1 << 20, 1 << 20], [0]), [:], 400, "holds more than"),
            (
                Array("{\"inputs\":[]}".utf8), ["Inference-Header-Content-Length": "99"], 400,
                "Inference-Header-Content-Length: expected at most"
            ),
            (
                photoRequest([0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).0, photoRequest([0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).1, 400,
                "JPEG header"
            ),
            (
                photoRequest(Array("hello".utf8)).0, photoRequest(Array("hello".utf8)).1, 415,
                "expected an encoded PNG or JPEG photo"
            ),
            (
                photoRequest(hugePNG).0, photoRequest(hugePNG).1, 413,
                "declares 100000x100000 pixels; the server takes at most 10000"
            ),
            (photoRequest(corruptPNG).0, photoRequest(corruptPNG).1, 400, "fails its CRC check"),
        ]
        for (body, headers, status, message) in cases {
            let response = await server.respond(
                to: ServeRequest(method: "POST", path: "/v2/models/tiny/infer", headers: headers, body: body))
            #expect(response.status == status, "\(message): \(response.text)")
            #expect(ServingFixtures.error(response).contains(message), "\(ServingFixtures.error(response))")
        }
        // Still serving, with the same numbers.
        let pixels = Array(images.pixels[0..<64])
        let fine = await server.respond(to: ServingFixtures.inferRequest(pixels: pixels, count: 1))
        #expect(fine.status == 200)
        #expect(
            ServingFixtures.floats(fine)
                == (try server.defaultModel(named: "tiny").classifier.probabilities(pixels: pixels, count: 1)))
        // Each refusal was counted by status.
        let metrics = server.metrics.text()
        #expect(metrics.contains("fashion_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"400\"} 14"))
        #expect(metrics.contains("fashion_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"415\"} 1"))
        #expect(metrics.contains("fashion_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"200\"} 1"))
        #expect(metrics.contains("fashion_batch_size_count{model=\"tiny\"} 1"))
    }

    @Test func modelsAreNamedAndVersionedAsGiven() throws {
        #expect(
            try ModelRepository.Entry(parsing: "out/model3.safetensors")
                == .init(name: "model3", path: "out/model3.safetensors"))
        #expect(try ModelRepository.Entry(parsing: "shop=a.safetensors") == .init(name: "shop", path: "a.safetensors"))
        #expect(
            try ModelRepository.Entry(parsing: "shop:2=a.safetensors")
                == .init(name: "shop", version: "2", path: "a.safetensors"))
        #expect(throws: ServingError.self) { try ModelRepository.Entry(parsing: "sh op=a") }
        #expect(throws: ServingError.self) { try ModelRepository.Entry(parsing: "shop:=a") }
        #expect(throws: ServingError.self) { try ModelRepository.Entry(parsing: "shop=") }

        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (old, _) = try ServingFixtures.modelFile(in: temp, name: "old.safetensors", seed: 1)
        let (new, _) = try ServingFixtures.modelFile(in: temp, name: "new.safetensors", seed: 2)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: old.path)
        let repository = try ModelRepository(entries: [
            .init(name: "shop", version: "2", path: new.path), .init(name: "shop", version: "1", path: old.path),
        ])
        #expect(try repository.model(named: "shop", version: nil).version == "2")
        #expect(try repository.model(named: "shop", version: "1").path == old.path)
        #expect(throws: ServingError.self) {
            try ModelRepository(entries: [
                .init(name: "a", version: "1", path: old.path), .init(name: "a", version: "1", path: new.path),
            ])
        }
    }
}

/// The page's "Why?" endpoint: the map is the explainer's own, for the class asked for.
@Suite(.timeLimit(.minutes(10))) struct ExplainEndpointTests {
    @Test func integratedGradientsAndOcclusionOfOneImage() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try ServingFixtures.modelFile(in: temp)
        let repository = try ModelRepository(entries: [ModelRepository.Entry(name: "tiny", path: url.path)])
        let server = InferenceServer(repository: repository)
        defer { server.shutdown() }
        let pixels = Array(images.pixels[0..<64])
        let inputs = pixels.map { Float($0) / 255 }
        let explainer = Explainer(model: try ModelFile.read(from: url).model)

        func ask(_ parameters: [String: Any], pixels: [UInt8] = pixels, count: Int = 1) async -> ServeResponse {
            let body = ServingFixtures.json([
                "inputs": [
                    ["name": "input", "datatype": "UINT8", "shape": [count, 64], "data": pixels.map(Int.init)]
                ],
                "parameters": parameters,
            ])
            return await server.respond(to: ServeRequest(method: "POST", path: "/v2/models/tiny/explain", body: body))
        }

        let chosen = await ask([:])
        #expect(chosen.status == 200, "\(chosen.text)")
        let answer = ServingFixtures.parse(chosen.body)
        let probabilities = explainer.probabilities(inputs, count: 1)
        let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        #expect(answer["class_index"] as? Int == top)
        #expect(answer["method"] as? String == "integrated-gradients")
        let expected = explainer.integratedGradients(
            inputs, baselines: [Float](repeating: 0, count: 64), classes: [top], steps: 64)
        #expect((answer["map"] as? [Double])?.map(Float.init) == expected.maps)
        // (Foundation's JSON reader may miss a double's last bit.)
        #expect(abs((answer["completeness_delta"] as? Double ?? .nan) - expected.deltas[0]) < 1e-15)

        let occluded = ServingFixtures.parse(await ask(["method": "occlusion", "class": "bag"]).body)
        #expect(occluded["class_name"] as? String == "bag")
        let occlusion = explainer.occlusion(
            inputs, classes: [2], shape: ImageShape(height: 8, width: 8), window: 4, stride: 2)
        #expect((occluded["map"] as? [Double])?.map(Float.init) == occlusion)

        let refusals: [([String: Any], [UInt8], Int, String)] = [
            (["method": "lime"], pixels, 1, "parameters.method: expected one of integrated-gradients, occlusion"),
            (["class": "hat"], pixels, 1, "parameters.class: unknown class 'hat'"),
            (["class": 7], pixels, 1, "parameters.class: expected a class index from 0 to 2, found 7"),
            ([:], pixels + pixels, 2, "inputs: explain takes one image, found 2"),
        ]
        for (parameters, data, count, message) in refusals {
            let response = await ask(parameters, pixels: data, count: count)
            #expect(response.status == 400)
            #expect(ServingFixtures.error(response).contains(message), "\(ServingFixtures.error(response))")
        }
    }
}

/// `NAME=A+B`: an ensemble served under one name, the mean of its members.
@Suite(.timeLimit(.minutes(10))) struct EnsembleServingTests {
    @Test func anEnsembleAnswersWithTheMeanOfItsMembers() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (a, images) = try ServingFixtures.modelFile(in: temp, name: "a.safetensors", seed: 1)
        let (b, _) = try ServingFixtures.modelFile(in: temp, name: "b.safetensors", seed: 2)
        let entry = try ModelRepository.Entry(parsing: "shop=\(a.path)+\(b.path)")
        #expect(entry == .init(name: "shop", paths: [a.path, b.path]))
        #expect(throws: ServingError.self) { try ModelRepository.Entry(parsing: "\(a.path)+\(b.path)") }
        #expect(throws: ServingError.self) { try ModelRepository.Entry(parsing: "shop=\(a.path)+") }
        // A file whose whole name has a '+' is one model.
        let plus = temp.file("x+y.safetensors")
        try FileManager.default.copyItem(at: a, to: plus)
        #expect(try ModelRepository.Entry(parsing: "one=\(plus.path)").paths == [plus.path])

        #expect(throws: ServingError.self) { try ModelRepository(entries: [.init(name: "none", paths: [])]) }
        let repository = try ModelRepository(entries: [entry, .init(name: "a", path: a.path)])
        let server = InferenceServer(repository: repository, settings: InferenceServer.Settings())
        defer { server.shutdown() }
        let pixels = Array(images.pixels[0..<(4 * 64)])
        let response = await server.respond(
            to: ServingFixtures.inferRequest(pixels: pixels, count: 4, model: "shop"))
        #expect(response.status == 200, "\(response.text)")
        let served = ServingFixtures.floats(response)
        let pa = try Classifier(file: ModelFile.read(from: a)).probabilities(pixels: pixels, count: 4)
        let pb = try Classifier(file: ModelFile.read(from: b)).probabilities(pixels: pixels, count: 4)
        #expect(served.count == pa.count && zip(pa, pb).contains { abs($0 - $1) > 1e-4 })
        for i in served.indices { #expect(served[i] == (pa[i] + pb[i]) / 2, "value \(i)") }

        let inputs = pixels[0..<64].map { Float($0) / 255 }
        let body = ServingFixtures.json([
            "inputs": [
                ["name": "input", "datatype": "UINT8", "shape": [1, 64], "data": pixels[0..<64].map(Int.init)]
            ],
            "parameters": ["method": "gradient", "class": 1],
        ])
        let explained = await server.respond(
            to: ServeRequest(method: "POST", path: "/v2/models/shop/explain", body: body))
        #expect(explained.status == 200, "\(explained.text)")
        let ga = Explainer(model: try ModelFile.read(from: a).model).gradient(inputs, classes: [1])
        let gb = Explainer(model: try ModelFile.read(from: b).model).gradient(inputs, classes: [1])
        let map = (ServingFixtures.parse(explained.body)["map"] as? [Double])?.map(Float.init)
        #expect(map == zip(ga, gb).map { ($0 + $1) / 2 })

        let tagger = try Sequential(
            specification: Tagging.model(try ModelFile.read(from: a).model.specification), seed: 9)
        try ModelFile(
            model: tagger, classNames: ServingFixtures.classNames,
            preprocessing: try ModelFile.read(from: a).preprocessing
        ).write(to: temp.file("t.safetensors"))
        #expect {
            try ModelRepository(entries: [.init(name: "mixed", paths: [a.path, temp.file("t.safetensors").path])])
        } throws: { error in
            "\(error)".contains("tags (multi-label)")
        }
    }
}
