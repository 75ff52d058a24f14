import Foundation
import NumericCore
import Testing
import _TestSupport

@testable import Serving

/// The server on a real socket on 127.0.0.1 (Hummingbird underneath): the endpoints as a
/// client sees them, the body limit, a request with no Content-Type, 200 concurrent requests.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HTTPServiceTests {
    /// Starts `server` on a free port, runs `body` with the port, then stops it.
    static func withRunningServer(
        _ server: InferenceServer, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let stopper = HTTPService.Stopper()
        let task = Task {
            // A server that fails to start ends the stream, so the wait for its port ends too.
            defer { continuation.finish() }
            try await HTTPService.run(server, host: "127.0.0.1", port: 0, handleSignals: false, stopper: stopper) {
                port in continuation.yield(port)
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw HTTPTestConnection.Failure(description: "the server stopped before it listened")
        }
        do { try await body(port) } catch {
            await stopper.stop()
            server.shutdown()
            throw error
        }
        await stopper.stop()
        // The graceful stop lets run return without an error.
        try await task.value
        server.shutdown()
    }

    @Test func endpointsOverASocket() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, images) = try ServingFixtures.server(in: temp)
        let expected = try server.defaultModel(named: "tiny").classifier.probabilities(
            pixels: Array(images.pixels[0..<128]), count: 2)
        try await Self.withRunningServer(server) { port in
            let live = try await HTTPTestConnection.request(port: port, method: "GET", path: "/v2/health/live")
            #expect(live.status == 200 && live.headers["server"] == "fashion")
            let meta = try await HTTPTestConnection.request(port: port, method: "GET", path: "/v2/models/tiny")
            #expect(meta.status == 200 && meta.headers["content-type"] == "application/json")
            let missing = try await HTTPTestConnection.request(port: port, method: "GET", path: "/v2/models/nope/ready")
            #expect(missing.status == 404 && missing.text.contains("{\"error\":\"unknown model 'nope'"))
            // Keep-alive: several requests on one connection, one with no Content-Type.
            let connection = try HTTPTestConnection(port: port)
            let request = ServingFixtures.inferRequest(pixels: Array(images.pixels[0..<128]), count: 2)
            for _ in 0..<3 {
                let answer = try await connection.request(method: "POST", path: request.path, body: request.body)
                #expect(answer.status == 200, "\(answer.text)")
                #expect(
                    ServingFixtures.floats(ServeResponse(status: answer.status, body: answer.body)) == expected)
            }
            let page = try await connection.request(method: "GET", path: "/")
            #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
            let metrics = try await connection.request(method: "GET", path: "/metrics")
            #expect(
                metrics.text.contains("fashion_requests_total{endpoint=\"infer\",model=\"tiny\",status=\"200\"} 3"))
            #expect(metrics.text.contains("fashion_request_duration_seconds_count{model=\"tiny\"} 3"))
        }
    }

    @Test func aBodyOverTheLimitIs413WithAV2ErrorAndTheServerGoesOn() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var settings = InferenceServer.Settings()
        settings.maxBodySize = 4096
        let (server, images) = try ServingFixtures.server(in: temp, settings: settings)
        try await Self.withRunningServer(server) { port in
            // Refused from its Content-Length, before the body is sent.
            let connection = try HTTPTestConnection(port: port)
            try connection.write(
                HTTPTestConnection.head(method: "POST", path: "/v2/models/tiny/infer", bodyLength: 1 << 30))
            let early = try await connection.readResponse()
            #expect(early.status == 413)
            #expect(
                early.text
                    == "{\"error\":\"request body: larger than the server's limit of 4096 bytes (maxBodySize)\"}")
            // A chunked body with no length is cut off at the limit.
            let chunked = try HTTPTestConnection(port: port)
            let chunk = [UInt8](repeating: UInt8(ascii: "1"), count: 3000)
            try chunked.write(
                Array("POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                    + Array("bb8\r\n".utf8) + chunk + Array("\r\nbb8\r\n".utf8) + chunk
                    + Array("\r\n0\r\n\r\n".utf8))
            #expect(try await chunked.readResponse().status == 413)
            let request = ServingFixtures.inferRequest(pixels: Array(images.pixels[0..<64]), count: 1)
            let fine = try await HTTPTestConnection.request(
                port: port, method: "POST", path: request.path, body: request.body)
            #expect(fine.status == 200)
        }
    }

    @Test func twoHundredConcurrentRequestsAreAllAnsweredCorrectly() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (server, images) = try ServingFixtures.server(in: temp)
        let classifier = try server.defaultModel(named: "tiny").classifier
        let expected = try classifier.probabilities(pixels: images.pixels, count: images.count)
        try await Self.withRunningServer(server) { port in
            // All 200 in flight at once: every connection sends its request before any answer is read.
            let results = Slots<(Int, [Float])>(count: 200)
            var connections = [HTTPTestConnection]()
            for index in 0..<200 {
                let image = index % images.count
                let request = ServingFixtures.inferRequest(
                    pixels: Array(images.pixels[(image * 64)..<((image + 1) * 64)]), count: 1)
                let connection = try HTTPTestConnection(port: port)
                try connection.write(
                    HTTPTestConnection.head(method: "POST", path: request.path, bodyLength: request.body.count)
                        + request.body)
                connections.append(connection)
            }
            for (index, connection) in connections.enumerated() {
                let answer = try await connection.readResponse()
                results[index] = (
                    answer.status, ServingFixtures.floats(ServeResponse(status: answer.status, body: answer.body))
                )
            }
            for (index, value) in results.values.enumerated() {
                let (status, probabilities) = try #require(value)
                let image = index % images.count
                #expect(status == 200)
                #expect(probabilities == Array(expected[(image * 3)..<((image + 1) * 3)]), "request \(index)")
            }
            let metrics = server.metrics.text()
            #expect(metrics.contains("fashion_inference_images_total{model=\"tiny\"} 200"))
        }
    }
}
