import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads an input file only when it is a regular file, so a folder or a FIFO given where a
/// file belongs is a clear message ("is a folder, not a file"), not Foundation's
/// "NSCocoaErrorDomain error 256", "You don't have permission", or a read that never ends.
public enum FileReading {
    /// Why `path` cannot be read as a file, or nil when it can.
    public static func problem(atPath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? "file not found" : "cannot look at it: \(String(cString: strerror(errno)))"
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "is a folder, not a file"
        case S_IFIFO: return "is a FIFO (named pipe), not a file"
        default: return "is not a regular file (a socket or a device)"
        }
    }

    /// Why `path`, which exists, is not a file to read ("is a folder, not a file"); nil when it is
    /// a regular file or does not exist (the caller says how to get a missing one).
    public static func notAFile(atPath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return problem(atPath: path)
    }

    /// The bytes of the regular file at `path`; the error says what is wrong.
    public static func bytes(atPath path: String) throws(FileReadError) -> [UInt8] {
        if let problem = problem(atPath: path) { throw FileReadError(path: path, reason: problem) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileReadError(path: path, reason: "cannot read it: \(String(cString: strerror(errno)))")
        }
        return [UInt8](data)
    }
}

/// A file that could not be read, named, with the reason.
public struct FileReadError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
