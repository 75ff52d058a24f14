import FashionData
import Foundation
import Testing
import _TestSupport

/// Downloads from a real HTTP server on loopback serving the real Fashion-MNIST files (as
/// Debian ships them: recompressed, so their content checksums are what match).
@Suite(.serialized, .timeLimit(.minutes(10))) struct FetchAndVerifyTests {
    let entry = CatalogueEntry.fashionMNIST

    /// A folder holding copies of the real files, optionally one of them damaged.
    func servedFolder(damaging name: String? = nil) throws -> TemporaryFolder {
        try #require(RealData.isPresent, Comment(rawValue: RealData.missingMessage))
        let folder = try TemporaryFolder()
        for file in entry.files {
            var bytes = [UInt8](try Data(contentsOf: RealData.folder.appendingPathComponent(file.name)))
            if file.name == name { bytes[bytes.count / 2] ^= 0x5A }
            try Data(bytes).write(to: folder.file(file.name))
        }
        return folder
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func fetchDownloadsVerifiesAndThenSkips() async throws {
        let served = try servedFolder()
        let destination = try TemporaryFolder()
        defer {
            served.remove()
            destination.remove()
        }
        let server = try LoopbackHTTPServer(serving: served.url)
        defer { server.stop() }

        let fetcher = DatasetFetcher(mirror: server.baseURL, destination: destination.url)
        let first = try await fetcher.fetchAll()
        #expect(first.allSatisfy { if case .downloaded = $0 { true } else { false } })
        for file in entry.files {
            #expect(try Data(contentsOf: destination.file(file.name)) == Data(contentsOf: served.file(file.name)))
        }
        let second = try await fetcher.fetchAll()
        #expect(second == entry.files.map { .alreadyPresent($0.name) })
        // The fetched folder loads and verifies like the installed one.
        let location = try DatasetLocator.locate(explicit: destination.url, environment: [:])
        #expect(DatasetVerifier.verify(location: location).passed)
        #expect(
            Set(try FileManager.default.contentsOfDirectory(atPath: destination.url.path))
                == Set(entry.files.map(\.name)))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func corruptDownloadIsRejectedAndTheOldFileStays() async throws {
        let damaged = "train-labels-idx1-ubyte.gz"
        let served = try servedFolder(damaging: damaged)
        let destination = try TemporaryFolder()
        defer {
            served.remove()
            destination.remove()
        }
        let server = try LoopbackHTTPServer(serving: served.url)
        defer { server.stop() }
        let oldContent = Data("an older file the user had".utf8)
        try oldContent.write(to: destination.file(damaged))

        let fetcher = DatasetFetcher(mirror: server.baseURL, destination: destination.url)
        let error = await #expect(throws: DataError.self) { try await fetcher.fetchAll() }
        let message = error?.description ?? ""
        #expect(message.hasPrefix(server.baseURL.absoluteString + damaged + ": "))
        #expect(message.contains("MD5 checksum mismatch") || message.contains("corrupt or truncated gzip"))
        #expect(try Data(contentsOf: destination.file(damaged)) == oldContent)
        // Nothing half-written is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: destination.url.path)
        #expect(!names.contains { $0.hasSuffix(".partial") })
        #expect(names.contains("train-images-idx3-ubyte.gz"))
    }

    @Test func missingFileOnTheServerIsADownloadError() async throws {
        let served = try TemporaryFolder()
        let destination = try TemporaryFolder()
        defer {
            served.remove()
            destination.remove()
        }
        let server = try LoopbackHTTPServer(serving: served.url)
        defer { server.stop() }
        let fetcher = DatasetFetcher(mirror: server.baseURL, destination: destination.url)
        let error = await #expect(throws: DataError.self) { try await fetcher.fetchAll() }
        #expect(
            error?.description
                == "download of \(server.baseURL.absoluteString)train-images-idx3-ubyte.gz failed: the server "
                + "answered HTTP 404"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.url.path).isEmpty)
    }

    /// A server that sends without end, and one that stalls: both stopped with a clear error,
    /// and nothing left behind (an endless body once grew `data fetch` past 6 GB in 16 s).
    @Test func anEndlessOrStalledDownloadIsStoppedAndNamed() async throws {
        let script = """
            import http.server, socketserver, time
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.end_headers()
                    try:
                        if 'endless' in self.path:
                            while True: self.wfile.write(b'x' * 65536)
                        self.wfile.write(b'0123456789'); self.wfile.flush(); time.sleep(20)
                    except Exception: pass
                def log_message(self, *a): pass
            socketserver.ThreadingTCPServer.daemon_threads = True
            s = socketserver.ThreadingTCPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let server = try ChildProcess(["python3", "-c", script])
        defer { server.killNow() }
        var line = [UInt8]()
        while let byte = server.standardOutput.readData(ofLength: 1).first, byte != 10 { line.append(byte) }
        let port = try #require(Int(String(decoding: line, as: UTF8.self)))
        let destination = try TemporaryFolder()
        defer { destination.remove() }
        for (name, timeout, message) in [
            ("endless.gz", 30.0, "more than 1048776 bytes arrived; the file is expected to be at most 1048776 bytes"),
            ("stall.gz", 1.0, "no data arrived for 1 s (the connection stalled)"),
        ] {
            let entry = CatalogueEntry(
                name: "test", classNames: ["a"],
                files: [
                    CatalogueEntry.File(
                        role: .trainImages, name: name, archiveMD5: "0", contentMD5: "0", archiveBytes: 100)
                ],
                downloadURL: URL(string: "http://127.0.0.1:\(port)/")!)
            let fetcher = DatasetFetcher(entry: entry, destination: destination.url, timeout: timeout)
            let error = await #expect(throws: DataError.self) { try await fetcher.fetchAll() }
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("127.0.0.1:\(port)/\(name)") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: destination.url.path).isEmpty)
        }
    }

    @Test func checksumAcceptsThePublishedArchiveOrItsContent() throws {
        let content = Array("hello fashion".utf8)
        let archive = Fixtures.gzip(content)
        let file = CatalogueEntry.File(
            role: .trainLabels, name: "x.gz", archiveMD5: MD5.hex(of: archive), contentMD5: MD5.hex(of: content))
        #expect(
            try DatasetVerifier.checksum(of: archive, path: "x.gz", against: file)
                == .archiveMatches(md5: MD5.hex(of: archive)))
        let recompressed = Fixtures.gzip(content, level: 1)
        let other = CatalogueEntry.File(
            role: .trainLabels, name: "x.gz", archiveMD5: "0", contentMD5: MD5.hex(of: content))
        #expect(
            try DatasetVerifier.checksum(of: recompressed, path: "x.gz", against: other)
                == .contentMatches(md5: MD5.hex(of: content)))
        #expect(
            try DatasetVerifier.checksum(of: content, path: "x", against: other)
                == .contentMatches(md5: MD5.hex(of: content)))
        let wrong = try DatasetVerifier.checksum(of: Fixtures.gzip(Array("other".utf8)), path: "x.gz", against: file)
        #expect(!wrong.isAcceptable)
    }
}
