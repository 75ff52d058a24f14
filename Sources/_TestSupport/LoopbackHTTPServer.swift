import Foundation

/// A real HTTP server on 127.0.0.1 serving the files of one folder (Python's http.server),
/// for testing downloads without the internet. It listens on a free port and stops when
/// `stop()` is called.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public let folder: URL
    public let port: Int
    private let process: ChildProcess

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    private static let script = """
        import functools, http.server, sys
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args): pass
        handler = functools.partial(Quiet, directory=sys.argv[1])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    public init(serving folder: URL) throws {
        self.folder = folder
        process = try ChildProcess(["python3", "-c", Self.script, folder.path])
        var line = Data()
        while true {
            let byte = process.standardOutput.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(
                .fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "python3 http.server did not start"])
        }
        self.port = port
    }

    public func stop() { process.terminate() }
}
