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

    public var description: String {
        switch self {
        case let .fileMissing(path, hint):
            return "\(path): file not found. \(hint)"
        case let .datasetNotFound(searched, hint):
            return "no dataset found; looked in: \(searched.joined(separator: ", ")). \(hint)"
        case let .unreadable(path, reason):
            return "\(path): cannot read the file: \(reason)"
        case let .corruptGzip(path, reason):
            return "\(path): corrupt or truncated gzip data: \(reason)"
        case let .badMagic(path, expected, found):
            return "\(path): wrong magic number: expected \(expected), found \(found)"
        case let .truncated(path, expected, found):
            return "\(path): the header promises \(expected) bytes but the file holds \(found)"
        case let .dimensionMismatch(path, reason):
            return "\(path): \(reason)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels; they must match"
        case let .labelOutOfRange(path, index, label, classCount):
            return "\(path): label \(label) at item \(index) is outside 0...\(classCount - 1) (\(classCount) classes)"
        case let .csvColumns(path, line, expected, found):
            return "\(path), line \(line): expected \(expected) columns (label and pixels), found \(found)"
        case let .csvValue(path, line, column, expected, found):
            return "\(path), line \(line), column \(column): expected \(expected), found '\(found)'"
        case let .classNames(path, reason):
            return "\(path): \(reason)"
        case let .checksumMismatch(path, expected, found):
            return "\(path): MD5 checksum mismatch: expected \(expected), found \(found)"
        case let .download(url, reason):
            return "download of \(url) failed: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .invalidImage(path, reason):
            return "\(path): not a usable image: \(reason)"
        case let .invalidArgument(name, reason):
            return "\(name): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
