/// A request the server refuses, with the HTTP status it answers and the V2 error body's
/// message (`{"error": "..."}`), which names the field and says what was expected.
public struct ServingError: Error, Equatable, CustomStringConvertible, Sendable {
    public let status: Int
    public let message: String
    /// Seconds a client should wait before trying again (a `Retry-After` header), for 503s.
    public let retryAfter: Int?

    public init(status: Int, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status): \(message)" }

    static func badRequest(_ message: String) -> ServingError { ServingError(status: 400, message) }
    static func notFound(_ message: String) -> ServingError { ServingError(status: 404, message) }
}
