import Foundation
import _Files

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads a catalogue dataset into a folder. Each file is downloaded to a temporary file
/// beside its destination, checked against the published MD5, and only then renamed into
/// place, so an interrupted or failed fetch never leaves a half file under the real name and
/// never replaces a good file with a bad one. Files already present and correct are skipped,
/// so a rerun after an interruption fetches only what is missing.
public struct DatasetFetcher: Sendable {
    public enum Outcome: Sendable, Equatable {
        case alreadyPresent(String)
        case downloaded(String, bytes: Int)
    }

    public let entry: CatalogueEntry
    public let baseURL: URL
    public let destination: URL

    public init(entry: CatalogueEntry = .fashionMNIST, mirror: URL? = nil, destination: URL) {
        self.entry = entry
        self.baseURL = mirror ?? entry.downloadURL
        self.destination = destination
    }

    /// Fetches every file; `progress` receives one line per file. Stops at the first failure.
    public func fetchAll(progress: @Sendable (String) -> Void = { _ in }) async throws(DataError) -> [Outcome] {
        var outcomes = [Outcome]()
        for file in entry.files {
            let outcome = try await fetch(file)
            switch outcome {
            case .alreadyPresent(let name): progress("\(name): already present, checksum verified")
            case .downloaded(let name, let bytes): progress("\(name): downloaded \(bytes) bytes, checksum verified")
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    public func fetch(_ file: CatalogueEntry.File) async throws(DataError) -> Outcome {
        let target = destination.appendingPathComponent(file.name)
        if let existing = try? [UInt8](Data(contentsOf: target)),
            (try? DatasetVerifier.checksum(of: existing, path: target.path, against: file))?.isAcceptable == true
        {
            return .alreadyPresent(file.name)
        }
        let url = baseURL.appendingPathComponent(file.name)
        let bytes = try await download(url)
        let result = try DatasetVerifier.checksum(of: bytes, path: url.absoluteString, against: file)
        if case .mismatch(let expected, let found) = result {
            throw .checksumMismatch(path: url.absoluteString, expected: expected, found: found)
        }
        do {
            try AtomicFile.write(bytes, to: target)
        } catch {
            throw .writeFailed(path: target.path, reason: error.reason)
        }
        return .downloaded(file.name, bytes: bytes.count)
    }

    private func download(_ url: URL) async throws(DataError) -> [UInt8] {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(from: url)
        } catch {
            throw .download(url: url.absoluteString, reason: error.localizedDescription)
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw .download(url: url.absoluteString, reason: "the server answered HTTP \(http.statusCode)")
        }
        return [UInt8](data)
    }
}
