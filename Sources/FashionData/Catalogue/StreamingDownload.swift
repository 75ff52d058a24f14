import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP download streamed to a file, refused as soon as it grows past `limit` bytes (a
/// server that sends without end fills neither memory nor the disk), and given up when no
/// data arrives for `timeout` seconds or the whole download takes more than 20 times that.
final class StreamingDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let limit: Int
    private let timeout: Double
    private let output: FileHandle
    private let lock = NSLock()
    private var received = 0
    private var failure: DataError?
    private var continuation: CheckedContinuation<Result<Int, DataError>, Never>?

    private init(url: URL, limit: Int, timeout: Double, output: FileHandle) {
        self.url = url
        self.limit = limit
        self.timeout = timeout
        self.output = output
    }

    /// Downloads `url` into `file` (created or emptied); returns the bytes written.
    static func run(_ url: URL, to file: URL, limit: Int, timeout: Double) async throws(DataError) -> Int {
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: file)
        else { throw .writeFailed(path: file.path, reason: "cannot create the file") }
        defer { try? handle.close() }
        let download = StreamingDownload(url: url, limit: limit, timeout: timeout, output: handle)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let result = await withCheckedContinuation { continuation in
            download.lock.withLock { download.continuation = continuation }
            let task = session.dataTask(with: url)
            task.resume()
            // A server that trickles data (never silent for `timeout`, never done) is given up on
            // too: the whole download has 20 times the stall limit.
            let whole = timeout * 20
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(whole * 1000))) {
                download.fail(
                    .download(
                        url: url.absoluteString,
                        reason: "the download did not finish within \(Int(whole)) s (20 times the stall limit); "
                            + "try again, or allow longer with the timeout option"), task)
            }
        }
        return try result.get()
    }

    private func fail(_ error: DataError, _ task: URLSessionTask) {
        lock.withLock { if failure == nil { failure = error } }
        task.cancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            fail(.download(url: url.absoluteString, reason: "the server answered HTTP \(http.statusCode)"), dataTask)
            return completionHandler(.cancel)
        }
        if response.expectedContentLength > Int64(limit) {
            fail(tooLarge("the server announces \(response.expectedContentLength) bytes"), dataTask)
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let total = lock.withLock { () -> Int in
            received += data.count
            return received
        }
        guard total <= limit else { return fail(tooLarge("more than \(limit) bytes arrived"), dataTask) }
        do { try output.write(contentsOf: data) } catch {
            fail(.download(url: url.absoluteString, reason: "cannot write what arrives: \(error)"), dataTask)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let result: Result<Int, DataError> = lock.withLock {
            if let failure { return .failure(failure) }
            if let error {
                let timedOut = (error as? URLError)?.code == .timedOut
                return .failure(
                    .download(
                        url: url.absoluteString,
                        reason: timedOut
                            ? "no data arrived for \(Int(timeout)) s (the connection stalled); try again, or allow "
                                + "longer with the timeout option"
                            : error.localizedDescription))
            }
            return .success(received)
        }
        let continuation = lock.withLock { () -> CheckedContinuation<Result<Int, DataError>, Never>? in
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(returning: result)
    }

    private func tooLarge(_ what: String) -> DataError {
        .download(
            url: url.absoluteString,
            reason: "\(what); the file is expected to be at most \(limit) bytes, so the download was stopped")
    }
}
