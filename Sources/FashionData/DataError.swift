import Foundation

/// Everything that can go wrong while finding, reading, checking or fetching data. Each
/// message names the file or field, what was expected and what was found, and where it
/// helps, what to do about it.
public enum DataError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case fileMissing(path: String, hint: String)
    case datasetNotFound(searched: [String], hint: String)
    case unreadable(path: String, reason: String)
    case corruptGzip(path: String, reason: String)
    case badMagic(path: String, expected: String, found: String)
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    case dimensionMismatch(path: String, reason: String)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case labelOutOfRange(path: String, index: Int, label: Int, classCount: Int)
    case csvColumns(path: String, line: Int, expected: Int, found: Int)
    case csvValue(path: String, line: Int, column: Int, expected: String, found: String)
    case classNames(path: String, reason: String)
    case checksumMismatch(path: String, expected: String, found: String)
    case download(url: String, reason: String)
    case writeFailed(path: String, reason: String)
    case invalidImage(path: String, reason: String)
    case invalidArgument(name: String, reason: String)
    /// A multi-label manifest's row (or header, line 1) that cannot be used.
    case manifest(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .fileMissing(let path, let hint):
            return "\(path): file not found. \(hint)"
        case .datasetNotFound(let searched, let hint):
            return "no dataset found; looked in: \(searched.joined(separator: ", ")). \(hint)"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .corruptGzip(let path, let reason):
            return "\(path): corrupt or truncated gzip data: \(reason)"
        case .badMagic(let path, let expected, let found):
            return "\(path): wrong magic number: expected \(expected), found \(found)"
        case .truncated(let path, let expected, let found):
            return "\(path): the header promises \(expected) bytes but the file holds \(found)"
        case .dimensionMismatch(let path, let reason):
            return "\(path): \(reason)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels; they must match"
        case .labelOutOfRange(let path, let index, let label, let classCount):
            return "\(path): label \(label) at item \(index) is outside 0...\(classCount - 1) (\(classCount) classes)"
        case .csvColumns(let path, let line, let expected, let found):
            return "\(path), line \(line): expected \(expected) columns (label and pixels), found \(found)"
        case .csvValue(let path, let line, let column, let expected, let found):
            return "\(path), line \(line), column \(column): expected \(expected), found '\(found)'"
        case .classNames(let path, let reason):
            return "\(path): \(reason)"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path): MD5 checksum mismatch: expected \(expected), found \(found)"
        case .download(let url, let reason):
            return "download of \(url) failed: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .invalidImage(let path, let reason):
            return "\(path): not a usable image: \(reason)"
        case .invalidArgument(let name, let reason):
            return "\(name): \(reason)"
        case .manifest(let path, let line, let reason):
            return "\(path), line \(line): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

extension DataError {
    /// An error's text without a leading "`path`: ", for a list that names the file already.
    public static func text(of error: any Error, without path: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
