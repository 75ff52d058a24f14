import Foundation

/// Writes files so that a reader, or an interrupted run, never sees half of one: the bytes go
/// to a temporary file in the destination's folder, which is then renamed over the
/// destination. A rename within one file system is atomic on POSIX systems.
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically, creating the parent folder if needed.
    public static func write(_ bytes: some Collection<UInt8>, to url: URL) throws(FileWriteError) {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(
                path: url.path, reason: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        let temporary = temporaryURL(for: url)
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FileWriteError(
                path: url.path, reason: "cannot write \(temporary.path): \(error.localizedDescription)")
        }
        try commit(temporary, to: url)
    }

    /// Writes UTF-8 text to `url` atomically.
    public static func write(text: String, to url: URL) throws(FileWriteError) {
        try write(Array(text.utf8), to: url)
    }

    /// A fresh temporary path beside `url` (same folder, hence same file system), ending in
    /// `.partial` so that leftovers of a killed process are recognisable.
    public static func temporaryURL(for url: URL) -> URL {
        let name = ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Renames a finished temporary file over `url`, replacing what was there.
    public static func commit(_ temporary: URL, to url: URL) throws(FileWriteError) {
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileWriteError(path: url.path, reason: "cannot move the finished file into place: \(reason)")
        }
    }
}

/// A file could not be written; `path` names the destination.
public struct FileWriteError: Error, CustomStringConvertible, LocalizedError {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
    public var errorDescription: String? { description }
}
