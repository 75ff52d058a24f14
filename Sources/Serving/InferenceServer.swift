import Foundation
import Inference

/// The server's logic, independent of the HTTP library: the Open Inference Protocol (KServe
/// V2) REST endpoints, the web page and `/metrics`, over the models of a repository, each
/// behind its own dynamic batcher.
public final class InferenceServer: Sendable {
    /// The server's limits and batching: batch size and delay, body and photo size, queue, timeout, threads.
    public struct Settings: Sendable {
        /// Largest request body in bytes; a larger one is answered 413.
        public var maxBodySize = 8 << 20
        /// Largest photo in pixels (width x height as its header declares, before decoding).
        public var maxPhotoPixels = 4096 * 4096
        public var maxBatchSize = 32
        public var maxBatchDelay: Duration = .milliseconds(2)
        /// Requests that may wait for a model at once; more are answered 503.
        public var maxQueue = 1024
        /// Longest wait for a model's answer; longer is answered 503.
        public var requestTimeout: Duration = .seconds(10)

        public init() {}
    }

    public static let serverName = "fashion"
    public static let serverVersion = "0.1.0"

    public let repository: ModelRepository
    public let settings: Settings
    public let metrics: ServerMetrics
    let batchers: [String: Batcher]
    let started = Date()

    public init(repository: ModelRepository, settings: Settings = Settings()) {
        self.repository = repository
        self.settings = settings
        let metrics = ServerMetrics()
        self.metrics = metrics
        var batchers = [String: Batcher]()
        let limits = Batcher.Limits(
            maxBatchSize: settings.maxBatchSize, maxDelay: settings.maxBatchDelay, maxQueue: settings.maxQueue,
            timeout: settings.requestTimeout)
        for model in repository.models {
            batchers[Self.key(model)] = Batcher(
                classifier: model.classifier, limits: limits, metrics: metrics, modelLabel: model.name)
        }
        self.batchers = batchers
    }

    /// Stops the batchers' threads (after their queues empty).
    public func shutdown() { for batcher in batchers.values { batcher.stop() } }

    /// The model that answers requests naming `name` and no version.
    public func defaultModel(named name: String) throws(ServingError) -> ModelRepository.Model {
        try repository.model(named: name, version: nil)
    }

    static func key(_ model: ModelRepository.Model) -> String { model.name + "\u{0}" + model.version }

    /// A request on its way in, announced before its body is read so that a batch can wait
    /// for it; `respond(to:arrival:)` settles it.
    public struct Arrival: Sendable {
        let route: Route?
        let batcher: Batcher?
    }

    /// Announces a request from its method and path, before its body arrives.
    public func arrive(method: String, path: String) -> Arrival {
        let route = Route(path: path)
        guard case .infer(let name, let version)? = route, method == "POST",
            let model = try? repository.model(named: name, version: version),
            let batcher = batchers[Self.key(model)]
        else { return Arrival(route: route, batcher: nil) }
        batcher.arrive()
        return Arrival(route: route, batcher: batcher)
    }

    /// Settles an arrival whose body could not be read (too large, cut off).
    public func abandon(_ arrival: Arrival, with error: ServingError) -> ServeResponse {
        arrival.batcher?.withdraw()
        metrics.countRequest(
            endpoint: arrival.route?.name ?? "unknown", model: arrival.route?.model ?? "",
            status: error.status)
        return .error(error)
    }

    /// Answers one request.
    public func respond(to request: ServeRequest) async -> ServeResponse {
        await respond(to: request, arrival: arrive(method: request.method, path: request.path))
    }

    public func respond(to request: ServeRequest, arrival: Arrival) async -> ServeResponse {
        let response: ServeResponse
        var arrivalOpen = arrival.batcher != nil
        defer { if arrivalOpen { arrival.batcher?.withdraw() } }
        if let route = arrival.route {
            let allowed = route.method
            if request.method == allowed || (allowed == "GET" && request.method == "HEAD") {
                do {
                    switch route {
                    case .infer(let name, let version):
                        arrivalOpen = false
                        response = try await infer(request, model: name, version: version, arrival: arrival)
                    case .explain(let name, let version):
                        response = try await explain(request, model: name, version: version)
                    default:
                        response = try answer(route)
                    }
                } catch {
                    response = .error(error)
                }
            } else {
                var refused = ServeResponse.error(
                    ServingError(status: 405, "\(request.method) \(request.path): this endpoint takes \(allowed)"))
                refused.headers.append(("Allow", allowed == "GET" ? "GET, HEAD" : allowed))
                response = refused
            }
        } else {
            response = .error(.notFound("\(request.method) \(request.path): no such endpoint; see GET /v2"))
        }
        metrics.countRequest(
            endpoint: arrival.route?.name ?? "unknown", model: arrival.route?.model ?? "", status: response.status)
        return response
    }

    private func answer(_ route: Route) throws(ServingError) -> ServeResponse {
        switch route {
        case .page:
            return ServeResponse(
                status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                body: Array(ServingPage.html(models: repository).utf8))
        case .metrics:
            return ServeResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                body: Array(metrics.text().utf8))
        case .live:
            return .json(
                200,
                Self.object {
                    $0.key("live")
                    $0.raw("true")
                })
        case .ready:
            return .json(
                200,
                Self.object {
                    $0.key("ready")
                    $0.raw("true")
                })
        case .serverMetadata:
            return .json(
                200,
                Self.object {
                    $0.key("name")
                    $0.string(Self.serverName)
                    $0.raw(",")
                    $0.key("version")
                    $0.string(Self.serverVersion)
                    $0.raw(",")
                    $0.key("extensions")
                    $0.array(["binary_tensor_data", "model_repository", "fashion_explain"]) { $0.string($1) }
                })
        case .repositoryIndex:
            var writer = JSONWriter()
            writer.array(repository.models) { writer, model in
                writer.raw("{")
                writer.field("name", model.name)
                writer.field("version", model.version)
                writer.key("state")
                writer.string("READY")
                writer.raw("}")
            }
            return .json(200, writer)
        case .modelReady(let name, let version):
            let model = try repository.model(named: name, version: version)
            return .json(
                200,
                Self.object {
                    $0.key("name")
                    $0.string(model.name)
                    $0.raw(",")
                    $0.key("ready")
                    $0.raw("true")
                })
        case .modelMetadata(let name, let version):
            let model = try repository.model(named: name, version: version)
            return .json(
                200, ModelMetadata.json(model, versions: version == nil ? repository.versions(of: name) : [model]))
        case .infer, .explain:
            throw .badRequest("internal: \(route.name) is answered elsewhere")
        }
    }

    private func infer(_ request: ServeRequest, model name: String, version: String?, arrival: Arrival)
        async throws(ServingError) -> ServeResponse
    {
        let begun = Batcher.now()
        var submitted = false
        defer { if !submitted { arrival.batcher?.withdraw() } }
        let model = try repository.model(named: name, version: version)
        guard let batcher = arrival.batcher ?? batchers[Self.key(model)] else {
            throw .notFound("model '\(name)' is not loaded")
        }
        let parsed = try InferenceRequest(body: request.body, headerLength: try Self.headerLength(request))
        let input = try ModelInput(parsed, model: model, maxPhotoPixels: settings.maxPhotoPixels)
        let outputs = try OutputSelection(
            parsed, classCount: model.classifier.classCount, multiLabel: model.classifier.isMultiLabel)
        submitted = true
        let result = await batcher.submit(
            inputs: input.values, count: input.count, arrived: arrival.batcher != nil)
        switch result {
        case .failure(let error): throw error
        case .success(let answer):
            let response = InferenceResponse(
                model: model, id: parsed.id, probabilities: answer.probabilities, count: input.count,
                outputs: outputs
            ).encoded()
            metrics.observeInference(
                model: model.name, seconds: Double(Batcher.now() - begun) / 1e9, queueSeconds: answer.queueSeconds)
            return response
        }
    }

    static func headerLength(_ request: ServeRequest) throws(ServingError) -> Int? {
        try request.headers["inference-header-content-length"].map { text throws(ServingError) in
            guard let length = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw .badRequest("Inference-Header-Content-Length: expected a byte count, found '\(text)'")
            }
            return length
        }
    }

    /// A saliency map of one image (see `Explaining`), as JSON: the class explained, its
    /// probability, the input and the map, `[height, width]`.
    private func explain(_ request: ServeRequest, model name: String, version: String?) async throws(ServingError)
        -> ServeResponse
    {
        let model = try repository.model(named: name, version: version)
        let parsed = try InferenceRequest(body: request.body, headerLength: try Self.headerLength(request))
        let input = try ModelInput(parsed, model: model, maxPhotoPixels: settings.maxPhotoPixels)
        guard input.count == 1 else { throw .badRequest("inputs: explain takes one image, found \(input.count)") }
        let names = Explaining.Method.allCases.map(\.rawValue)
        var method = Explaining.Method.integratedGradients
        if let value = parsed.parameters["method"] {
            guard case .string(let text) = value, let chosen = Explaining.Method(rawValue: text) else {
                throw .badRequest("parameters.method: expected one of \(names.joined(separator: ", "))")
            }
            method = chosen
        }
        let classNames = model.classifier.classNames
        var classIndex: Int?
        switch parsed.parameters["class"] {
        case nil: break
        case .number(let number)?:
            guard let index = Int(exactly: number) else {
                throw .badRequest("parameters.class: expected a class index or name, found \(number)")
            }
            classIndex = index
        case .string(let text)?:
            guard let index = classNames.firstIndex(of: text) else {
                throw .badRequest(
                    "parameters.class: unknown class '\(text)'; the model has \(classNames.joined(separator: ", "))")
            }
            classIndex = index
        case let other?:
            throw .badRequest("parameters.class: expected a class index or name, found \(other.kindName)")
        }
        let answer = try await model.explaining.explain(input.values, method: method, classIndex: classIndex)
        let image = model.classifier.preprocessing.image
        return .json(
            200,
            Self.object { json in
                json.field("model_name", model.name)
                json.field("model_version", model.version)
                json.field("method", answer.method.rawValue)
                json.key("class_index")
                json.number(answer.classIndex)
                json.raw(",")
                json.field("class_name", classNames[answer.classIndex])
                json.key("probability")
                json.number(answer.probability)
                json.raw(",")
                if let delta = answer.completenessDelta {
                    json.key("completeness_delta")
                    json.raw(String(delta))
                    json.raw(",")
                }
                json.key("shape")
                json.array(image.dimensions) { $0.number($1) }
                json.raw(",")
                json.key("input")
                json.array(input.values) { $0.number($1) }
                json.raw(",")
                json.key("map")
                json.array(answer.map) { $0.number($1) }
            })
    }

    static func object(_ members: (inout JSONWriter) -> Void) -> JSONWriter {
        var writer = JSONWriter()
        writer.raw("{")
        members(&writer)
        writer.raw("}")
        return writer
    }
}
