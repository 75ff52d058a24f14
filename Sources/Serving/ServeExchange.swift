/// An HTTP request as the server's logic sees it, whatever carried it: the Hummingbird
/// adapter builds these from the socket, tests build them directly.
public struct ServeRequest: Sendable {
    public var method: String
    /// The path without the query, e.g. `/v2/models/model3/infer`.
    public var path: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }
}

/// An HTTP response: status, headers and body.
public struct ServeResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    static func json(_ status: Int, _ writer: JSONWriter) -> ServeResponse {
        ServeResponse(status: status, headers: [("Content-Type", "application/json")], body: writer.bytes)
    }

    /// A V2 error body, `{"error": "..."}`.
    static func error(_ error: ServingError) -> ServeResponse {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("error")
        writer.string(error.message)
        writer.raw("}")
        var response = json(error.status, writer)
        if let retry = error.retryAfter { response.headers.append(("Retry-After", String(retry))) }
        return response
    }
}
