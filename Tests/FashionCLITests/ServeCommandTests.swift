import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Reports
import Testing
import _TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `fashion serve` as a user runs it: a child process on a free port, called by the common
/// Python client (tritonclient) and by headless Chromium through the page, stopped by SIGTERM
/// while a request is in flight.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ServeCommandTests {
    /// A running `fashion serve` and its port.
    final class Server: Sendable {
        let child: ChildProcess
        let port: Int
        let output: String

        private init(child: ChildProcess, port: Int, output: String) {
            self.child = child
            self.port = port
            self.output = output
        }

        /// Starts `fashion serve` and waits (off the cooperative threads, at most two minutes)
        /// for its first line, which says where it listens.
        static func start(_ arguments: [String]) async throws -> Server {
            let child = try ChildProcess(
                [CommandRunner.executable.path, "serve", "--port", "0"] + arguments,
                environment: CommandRunner.stableEnvironment())
            let first = try await offPool("the first line of fashion serve", seconds: 120) { () -> String? in
                var line = [UInt8]()
                while true {
                    let byte = child.standardOutput.readData(ofLength: 1)
                    guard let first = byte.first else { return nil }
                    if first == 10 { return String(decoding: line, as: UTF8.self) }
                    line.append(first)
                }
            }
            guard let output = first else {
                let error = try await child.errors()
                throw HTTPTestConnection.Failure(description: "fashion serve ended before listening: \(error)")
            }
            guard let colon = output.lastIndex(of: ":"), let port = Int(output[output.index(after: colon)...]) else {
                throw HTTPTestConnection.Failure(description: "no port in '\(output)'")
            }
            return Server(child: child, port: port, output: output)
        }

        /// The rest of what it printed, once it has ended.
        func remainingOutput() async throws -> String {
            try await child.output()
        }
    }

    static func python(has module: String) -> Bool {
        (try? CommandRunner.runBlocking(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"]))?
            .status
            == 0
    }

    static var scripts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts")
    }

    @Test(
        .enabled(
            if: python(has: "tritonclient.http, numpy"),
            "Python's tritonclient[http] is missing: run `make test`, which installs it"))
    func theCommonPythonClientWorksWithItsDefaults() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = temp.file("tiny.safetensors")
        let images = try TinyModel.write(to: model)
        let folder = try Fixtures.writeIDXFolder(temp.file("data"), train: images, test: images, compressed: false)
        let server = try await Server.start(["--model", model.path])
        defer { server.child.terminate() }
        #expect(server.output == "fashion serve: listening on http://127.0.0.1:\(server.port)")
        let result = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Self.scripts.appendingPathComponent("check_triton_client.py").path, "\(server.port)", "tiny",
                folder.appendingPathComponent("t10k-images-idx3-ubyte").path, "4",
            ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let seen = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let expected = try Classifier(contentsOf: model).probabilities(
            pixels: Array(images.pixels[0..<(4 * 64)]), count: 4)
        for datatype in ["UINT8", "FP32"] {
            let rows = try #require(seen[datatype] as? [[Double]])
            #expect(rows.flatMap { $0 }.map(Float.init) == expected, "\(datatype)")
        }
        #expect((seen["error"] as? String)?.contains("unknown model 'no-such-model'") == true)
    }

    /// A quantized model serves beside its 32-bit original, and the start-up lines say how each
    /// one's arithmetic runs; its answer is the classifier's own.
    @Test func aQuantizedModelServesAndTheStartUpLineNamesItsArithmetic() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = temp.file("tiny.safetensors")
        let images = try TinyModel.write(to: model)
        let file = try ModelFile.read(from: model)
        let calibration = Matrix(rows: 32, columns: 64, values: images.pixels[0..<(32 * 64)].map { Float($0) / 255 })
        let (quantized, record) = try file.model.quantizedInt8(calibration: calibration)
        let small = temp.file("tiny-int8.safetensors")
        try ModelFile(
            model: quantized, classNames: file.classNames, preprocessing: file.preprocessing,
            training: file.training, quantization: record
        ).write(to: small)
        let server = try await Server.start(["--model", "plain=\(model.path)", "--model", "small=\(small.path)"])
        defer { server.child.terminate() }
        let body = Array(
            try JSONSerialization.data(withJSONObject: [
                "inputs": [
                    [
                        "name": "input", "datatype": "UINT8", "shape": [2, 64],
                        "data": images.pixels[0..<128].map(Int.init),
                    ]
                ]
            ]))
        let connection = try HTTPTestConnection(port: server.port)
        try connection.write(
            HTTPTestConnection.head(method: "POST", path: "/v2/models/small/infer", bodyLength: body.count) + body)
        let answer = try await connection.readResponse()
        #expect(answer.status == 200, "\(answer.text)")
        let expected = try Classifier(contentsOf: small).probabilities(pixels: Array(images.pixels[0..<128]), count: 2)
        let document = try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any]
        let outputs = document?["outputs"] as? [[String: Any]]
        let probabilities = outputs?.first { $0["name"] as? String == "probabilities" }?["data"] as? [Double]
        #expect(probabilities?.map(Float.init) == expected, "\(answer.text.prefix(300))")
        kill(server.child.pid, SIGTERM)
        #expect(try await server.child.exit() == 0)
        let lines = try await server.remainingOutput()
        let plain = lines.split(separator: "\n").first { $0.contains("plain:") }.map(String.init) ?? ""
        let eight = lines.split(separator: "\n").first { $0.contains("small:") }.map(String.init) ?? ""
        #expect(plain.hasSuffix(", fp32 (\(MatrixProduct.kernelLevel))"), "\(lines)")
        #expect(
            eight.contains(", int8 convolutions and dense layers (\(Int8Product.best.name)), fp32 the rest"), "\(lines)"
        )
    }

    @Test func sigtermAnswersTheRequestInFlightThenExitsZero() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = temp.file("tiny.safetensors")
        let images = try TinyModel.write(to: model)
        let server = try await Server.start(["--model", "shop:7=\(model.path)"])
        defer { server.child.terminate() }
        let body = Array(
            try JSONSerialization.data(withJSONObject: [
                "inputs": [
                    [
                        "name": "input", "datatype": "UINT8", "shape": [1, 64],
                        "data": images.pixels[0..<64].map(Int.init),
                    ]
                ]
            ]))
        // Half the body is sent, then the signal, then the rest: the request is in flight.
        let connection = try HTTPTestConnection(port: server.port)
        let head = HTTPTestConnection.head(
            method: "POST", path: "/v2/models/shop/versions/7/infer", bodyLength: body.count)
        try connection.write(head + body[0..<(body.count / 2)])
        usleep(200_000)
        kill(server.child.pid, SIGTERM)
        usleep(300_000)
        try connection.write(Array(body[(body.count / 2)...]))
        let answer = try await connection.readResponse()
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.text.contains("\"model_version\":\"7\""))
        #expect(try await server.child.exit() == 0)
        #expect(try await server.remainingOutput().contains("fashion serve: stopped"))
        // Nothing listens any more.
        #expect(throws: HTTPTestConnection.Failure.self) { try HTTPTestConnection(port: server.port) }
    }

    @Test(
        .enabled(
            if: python(has: "selenium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
            "headless Chromium with chromium-driver and Python's selenium are missing: run `make test`"))
    func thePageClassifiesPhotosUploadedInHeadlessChromium() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = temp.file("tiny.safetensors")
        let images = try TinyModel.write(to: model)
        let server = try await Server.start(["--model", "tiny=\(model.path)"])
        defer { server.child.terminate() }
        // Three photos: two of the training images (8x8) and one larger, made into PNG files.
        var photos = [String]()
        for index in 0..<2 {
            let url = temp.file("photo\(index).png")
            try Data(
                PNGEncoder.encode(
                    width: 8, height: 8, colourType: .grayscale,
                    pixels: Array(images.pixels[(index * 64)..<((index + 1) * 64)]))
            ).write(to: url)
            photos.append(url.path)
        }
        let bad = temp.file("broken.png")
        try Data("not a picture".utf8).write(to: bad)
        photos.append(bad.path)
        let screenshot = temp.file("page.png")
        let result = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Self.scripts.appendingPathComponent("check_serving_page.py").path, "\(server.port)",
                screenshot.path,
            ] + photos)
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let seen = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(seen["models"] as? [String] == ["tiny"])
        let cards = try #require(seen["cards"] as? [[String: Any]])
        #expect(cards.count == 3)
        let classifier = try Classifier(contentsOf: model)
        for index in 0..<2 {
            let card = try #require(cards.first { $0["name"] as? String == "photo\(index).png" })
            let expected = classifier.topClasses(
                try classifier.probabilities(
                    photos: [
                        try PNGDecoder.decode(
                            Array(try Data(contentsOf: URL(fileURLWithPath: photos[index]))), path: "p")
                    ]),
                top: 3)[0]
            #expect(card["status"] as? String == "done")
            #expect(card["classes"] as? [String] == expected.map(\.className))
            #expect(card["values"] as? [String] == expected.map { String(format: "%.3f", $0.probability) })
            #expect((card["meta"] as? String)?.hasPrefix("model tiny · version ") == true)
            #expect(card["imageLoaded"] as? Bool == true)
            #expect(card["explained"] as? String == "done")
            #expect(
                (card["explanation"] as? String)?.hasPrefix("integrated-gradients for \(expected[0].className)") == true
            )
            #expect((card["mapColours"] as? Int ?? 0) > 5)
        }
        let broken = try #require(cards.first { $0["name"] as? String == "broken.png" })
        #expect(broken["status"] as? String == "error")
        #expect((broken["error"] as? String)?.contains("expected an encoded PNG or JPEG photo") == true)
        let picture = try PNGDecoder.decode(Array(try Data(contentsOf: screenshot)), path: screenshot.path)
        #expect(picture.width == 1100)
    }
}
