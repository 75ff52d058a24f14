import ArgumentParser
import Foundation
import NumericCore
import Serving

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP: the Open Inference Protocol (KServe V2), a web page, /metrics.",
        discussion: """
            Endpoints: GET /v2/health/live, /v2/health/ready, /v2 (server metadata), \
            /v2/models/NAME[/versions/VERSION] (model metadata) and .../ready; POST .../infer. \
            An inference request gives 'input', a UINT8 (0-255) or FP32 (pixel / 255) tensor of the \
            model's shape such as [N,28,28,1] or [N,784], or 'photos', BYTES [N] of PNG or JPEG photos; the \
            answer holds 'probabilities', 'top_classes' and 'top_indices' (request parameter \
            top_k, default 3). JSON or the binary tensor extension. The page at / classifies \
            photos you drop on it. SIGTERM or Ctrl-C: the server stops listening, answers the \
            requests it holds, and exits 0.

            A model's version is the first 12 hex digits of its file's MD5, or the one given as \
            NAME:VERSION=FILE; a request that names no version gets the newest file of its name. \
            NAME=A.safetensors+B.safetensors serves an ensemble under one name: the mean of its \
            members' probabilities, as fashion evaluate and predict judge it (they must take the same \
            images and name the same classes; its version is the MD5 of the files one after another).
            """)

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp(
            "A model to serve; repeat for several. FILE+FILE: an ensemble (named).",
            valueName: "[name[:version]=]file[+file...]"))
    var models: [String] = []

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Most images in one forward pass.")
    var maxBatchSize = 32

    @Option(help: "Longest wait for a batch to fill, counted from its first request (ms).")
    var maxBatchDelayMs = 2.0

    @Option(help: ArgumentHelp("Largest request body (bytes, or with KiB/MiB).", valueName: "size"))
    var maxBodySize = "8MiB"

    @Option(help: "Largest photo, in pixels as its header declares (width x height).")
    var maxPhotoPixels = 4096 * 4096

    @Option(help: "Requests that may wait for a model at once; more are answered 503.")
    var maxQueue = 1024

    @Option(help: "Longest wait for an answer in seconds; longer is answered 503.")
    var requestTimeout = 10.0

    @Option(help: "Threads for each forward pass.")
    var threads = 1

    @OptionGroup var flipAveraging: FlipAveragingOption

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one --model FILE") }
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected 0 to 65535, found \(port)") }
        guard (1...4096).contains(maxBatchSize) else {
            throw ValidationError("--max-batch-size: expected 1 to 4096, found \(maxBatchSize)")
        }
        guard maxBatchDelayMs.isFinite, (0...10_000).contains(maxBatchDelayMs) else {
            throw ValidationError("--max-batch-delay-ms: expected 0 to 10000, found \(maxBatchDelayMs)")
        }
        _ = try Self.bytes(maxBodySize)
        guard maxPhotoPixels >= 1 else { throw ValidationError("--max-photo-pixels: expected at least 1") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue: expected at least 1, found \(maxQueue)") }
        guard requestTimeout.isFinite, requestTimeout > 0, requestTimeout <= 86_400 else {
            throw ValidationError(
                "--request-timeout: expected more than 0 and at most 86400 s, found \(requestTimeout)")
        }
        guard (1...256).contains(threads) else {
            throw ValidationError("--threads: expected 1 to 256, found \(threads)")
        }
    }

    /// "8388608", "512KiB", "8MiB", "1GiB".
    static func bytes(_ text: String) throws -> Int {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        var number = text.trimmingCharacters(in: .whitespaces)
        var scale = 1
        if let unit = units.first(where: { number.hasSuffix($0.0) }) {
            number = String(number.dropLast(unit.0.count)).trimmingCharacters(in: .whitespaces)
            scale = unit.1
        }
        guard let value = Int(number), value >= 1, value <= (1 << 32) / scale else {
            throw ValidationError(
                "--max-body-size: expected bytes such as 8388608 or 8MiB (at most 4GiB), found '\(text)'")
        }
        return value * scale
    }

    func run() async throws {
        Compute.setThreads(threads)
        var entries = [ModelRepository.Entry]()
        for text in models {
            do { entries.append(try ModelRepository.Entry(parsing: text)) } catch {
                throw ValidationError("--model: \(error.message)")
            }
        }
        let repository = try ModelRepository(entries: entries, flipAveraging: flipAveraging.flipAveraging)
        var settings = InferenceServer.Settings()
        settings.maxBodySize = try Self.bytes(maxBodySize)
        settings.maxPhotoPixels = maxPhotoPixels
        settings.maxBatchSize = maxBatchSize
        settings.maxBatchDelay = .microseconds(Int64((maxBatchDelayMs * 1000).rounded()))
        settings.maxQueue = maxQueue
        settings.requestTimeout = .milliseconds(Int64((requestTimeout * 1000).rounded()))
        let server = InferenceServer(repository: repository, settings: settings)
        let host = self.host
        try await HTTPService.run(server, host: host, port: port) { port in
            var lines = ["fashion serve: listening on http://\(host):\(port)"]
            for name in repository.names {
                let versions = repository.versions(of: name)
                let newest = try? server.defaultModel(named: name)
                let listed: String = versions.map { $0.version + ($0.version == newest?.version ? " (default)" : "") }
                    .joined(separator: ", ")
                let path: String = versions.first?.path ?? ""
                let arithmetic: String = versions.first?.classifier.arithmetic ?? ""
                lines.append("  \(name): \(listed) — \(path), \(arithmetic)")
            }
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        server.shutdown()
        FileHandle.standardOutput.write(Data("fashion serve: stopped\n".utf8))
    }
}
