import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves an `InferenceServer` over HTTP/1.1 with Hummingbird: reads each request's body up to
/// the body limit (a larger body is answered 413 with a V2 error, before it is read when its
/// `Content-Length` says so), and shuts down gracefully on SIGTERM or SIGINT: the listening
/// socket closes, requests in flight are answered (within 30 s), then `run` returns.
public enum HTTPService {
    /// Stops a running server the way SIGTERM does (for embedding and tests).
    public final class Stopper: Sendable {
        private let group = Mutex<ServiceGroup?>(nil)
        private let requested = Mutex(false)

        public init() {}

        /// Stops listening, answers the requests in flight, then lets `run` return.
        public func stop() async {
            requested.withLock { $0 = true }
            if let group = group.withLock({ $0 }) { await group.triggerGracefulShutdown() }
        }

        fileprivate func attach(_ serviceGroup: ServiceGroup) async {
            group.withLock { $0 = serviceGroup }
            if requested.withLock({ $0 }) { await serviceGroup.triggerGracefulShutdown() }
        }
    }

    /// Runs until SIGTERM or SIGINT (with `handleSignals`) or `stopper` stops it; `onReady` gets
    /// the bound port once the server listens.
    public static func run(
        _ server: InferenceServer, host: String, port: Int, handleSignals: Bool = true, stopper: Stopper? = nil,
        onReady: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let limit = server.settings.maxBodySize
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await respond(to: request, server: server, limit: limit)
        }
        var logger = Logger(label: "fashion-serve")
        logger.logLevel = .warning
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(host, port: port), serverName: InferenceServer.serverName),
            onServerRunning: { channel in onReady(channel.localAddress?.port ?? port) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        // A request in flight that does not end (a client that never reads its answer) does not
        // hold the shutdown: after 30 s the server's tasks are cancelled, and after 10 s more
        // the process ends with a message rather than waiting on.
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        configuration.maximumCancellationDuration = .seconds(10)
        let group = ServiceGroup(configuration: configuration)
        await stopper?.attach(group)
        try await group.run()
    }

    private static func respond(to request: Request, server: InferenceServer, limit: Int) async -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        let arrival = server.arrive(method: method, path: path)
        var headers = [String: String]()
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let tooLarge = ServingError(
            status: 413, "request body: larger than the server's limit of \(limit) bytes (maxBodySize)")
        if let length = headers["content-length"].flatMap(Int.init), length > limit {
            return response(server.abandon(arrival, with: tooLarge))
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            return response(server.abandon(arrival, with: tooLarge))
        } catch {
            return response(server.abandon(arrival, with: .badRequest("request body: could not be read (\(error))")))
        }
        let exchange = ServeRequest(
            method: method, path: path, headers: headers, body: Array(body.readableBytesView))
        return response(await server.respond(to: exchange, arrival: arrival))
    }

    private static func response(_ answer: ServeResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
