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
    /// What fetching one file did: downloaded it, or found it already present and correct.
    public enum Outcome: Sendable, Equatable {
        case alreadyPresent(String)
        case downloaded(String, bytes: Int)
    }

    public let entry: CatalogueEntry
    public let baseURL: URL
    public let destination: URL
    /// Seconds without data after which a download is given up.
    public let timeout: Double

    public init(entry: CatalogueEntry = .fashionMNIST, mirror: URL? = nil, destination: URL, timeout: Double = 60) {
        self.entry = entry
        self.baseURL = mirror ?? entry.downloadURL
        self.destination = destination
        self.timeout = timeout
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
        // Streamed into the temporary file beside the target, at most the file's download limit.
        try? FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let temporary = AtomicFile.temporaryURL(for: target)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let count = try await StreamingDownload.run(url, to: temporary, limit: file.downloadLimit, timeout: timeout)
        guard let bytes = try? [UInt8](Data(contentsOf: temporary)) else {
            throw .writeFailed(path: temporary.path, reason: "cannot read back the downloaded file")
        }
        let result = try DatasetVerifier.checksum(of: bytes, path: url.absoluteString, against: file)
        if case .mismatch(let expected, let found) = result {
            throw .checksumMismatch(path: url.absoluteString, expected: expected, found: found)
        }
        do {
            try AtomicFile.commit(temporary, to: target)
        } catch {
            throw .writeFailed(path: target.path, reason: error.reason)
        }
        return .downloaded(file.name, bytes: count)
    }
}
