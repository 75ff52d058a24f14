import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP/1.1 client over a POSIX socket to 127.0.0.1, for tests that must send exactly
/// the bytes they mean (no Content-Type, a body cut in two, a lying Content-Length). Reads wait
/// on a thread of their own (`offPool`), never on one of Swift concurrency's cooperative threads,
/// which an in-process server needs to answer.
public final class HTTPTestConnection: @unchecked Sendable {
    /// An HTTP answer: status, headers and body.
    public struct Response: Sendable {
        public let status: Int
        /// Names in lower case.
        public let headers: [String: String]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A request that could not be made or answered, with the reason.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    private let socket: Int32
    private var buffered = [UInt8]()

    /// Connects to `port` on 127.0.0.1; reads give up after `timeout` seconds.
    public init(port: Int, timeout: Int = 30) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(socket)
            throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit { close(socket) }

    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// The head of a request, with `Content-Length` from `bodyLength` unless the headers give one.
    public static func head(method: String, path: String, headers: [String: String] = [:], bodyLength: Int)
        -> [UInt8]
    {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { lines.append("\(name): \(value)") }
        if !headers.keys.contains(where: { $0.lowercased() == "content-length" }) {
            lines.append("Content-Length: \(bodyLength)")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Sends a whole request and reads its response.
    public func request(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [])
        async throws -> Response
    {
        try write(Self.head(method: method, path: path, headers: headers, bodyLength: body.count) + body)
        return try await readResponse()
    }

    /// One request on a new connection.
    public static func request(
        port: Int, method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []
    ) async throws -> Response {
        try await HTTPTestConnection(port: port).request(method: method, path: path, headers: headers, body: body)
    }

    /// Reads one response (its body by `Content-Length`).
    public func readResponse() async throws -> Response {
        try await offPool("reading an HTTP response", seconds: 120) { try self.readResponseBlocking() }
    }

    private func readResponseBlocking() throws -> Response {
        while true {
            if let end = headEnd() {
                let head = String(decoding: buffered[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                    throw Failure(description: "not an HTTP status line: \(head.prefix(80))")
                }
                var headers = [String: String]()
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                        in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffered.count < end + 4 + length { try fill() }
                let body = Array(buffered[(end + 4)..<(end + 4 + length)])
                buffered.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            try fill()
        }
    }

    /// Whether the server has closed the connection (a read returns end of file).
    public func isClosedByPeer() async throws -> Bool {
        try await offPool("waiting for the server to close", seconds: 120) {
            var byte: UInt8 = 0
            return recv(self.socket, &byte, 1, 0) == 0
        }
    }

    private func headEnd() -> Int? {
        guard buffered.count >= 4 else { return nil }
        for i in 0...(buffered.count - 4)
        where buffered[i] == 13 && buffered[i + 1] == 10 && buffered[i + 2] == 13 && buffered[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else {
            throw Failure(description: count == 0 ? "the server closed the connection" : "recv failed: errno \(errno)")
        }
        buffered.append(contentsOf: chunk[0..<count])
    }
}
