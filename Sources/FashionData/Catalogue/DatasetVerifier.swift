import Foundation

/// Checks a dataset folder: each file's checksum against the catalogue, then the structure
/// of the whole dataset (magic numbers, dimensions, counts, labels).
public enum DatasetVerifier {
    /// The outcome of checking one file's checksum.
    public enum ChecksumResult: Sendable, Equatable {
        /// The file is byte for byte the published archive.
        case archiveMatches(md5: String)
        /// The archive differs (recompressed, or stored uncompressed) but its content is the
        /// published content.
        case contentMatches(md5: String)
        case mismatch(expected: String, found: String)
        /// The catalogue has no checksum for this file (a dataset of the user's own).
        case unchecked

        public var isAcceptable: Bool {
            if case .mismatch = self { return false }
            return true
        }
    }

    /// The verdict on one file: whether its checksum matched, and how.
    public struct FileReport: Sendable, Equatable {
        public let path: String
        public let result: ChecksumResult
    }

    /// Every file's verdict and the structure check: what `fashion data verify` prints.
    public struct Report: Sendable {
        public let files: [FileReport]
        /// Nil when the structure is sound, else the error that loading raised.
        public let structureError: DataError?
        public let dataset: Dataset?

        public var passed: Bool { structureError == nil && files.allSatisfy { $0.result.isAcceptable } }
    }

    /// Checks `bytes`, read from `path`, against a catalogue file's two checksums.
    public static func checksum(of bytes: [UInt8], path: String, against file: CatalogueEntry.File) throws(DataError)
        -> ChecksumResult
    {
        let stored = MD5.hex(of: bytes)
        if stored == file.archiveMD5 { return .archiveMatches(md5: stored) }
        let content = Gzip.isGzip(bytes) ? MD5.hex(of: try Gzip.decompress(bytes, path: path)) : stored
        if content == file.contentMD5 { return .contentMatches(md5: content) }
        return .mismatch(expected: "\(file.archiveMD5) (archive) or \(file.contentMD5) (content)", found: stored)
    }

    public static func verify(location: DatasetLocation, classNamesFile: URL? = nil) -> Report {
        var reports = [FileReport]()
        let dataset: Dataset?
        let structureError: DataError?
        do {
            dataset = try Dataset.load(from: location, classNamesFile: classNamesFile)
            structureError = nil
        } catch {
            dataset = nil
            structureError = error
        }
        let entry = dataset?.catalogueEntry ?? (classNamesFile == nil ? CatalogueEntry.fashionMNIST : nil)
        for url in location.layout.files {
            let role = DatasetLocator.idxCandidates.first { $0.1.contains(url.lastPathComponent) }?.0
            guard let entry, let role, let file = entry.file(role) else {
                reports.append(FileReport(path: url.path, result: .unchecked))
                continue
            }
            do {
                let bytes = try [UInt8](Data(contentsOf: url))
                reports.append(
                    FileReport(path: url.path, result: try checksum(of: bytes, path: url.path, against: file)))
            } catch {
                reports.append(
                    FileReport(
                        path: url.path, result: .mismatch(expected: file.archiveMD5, found: "unreadable (\(error))")))
            }
        }
        return Report(files: reports, structureError: structureError, dataset: dataset)
    }
}
