import Foundation
import _Files

/// A multi-label dataset's list of images: a CSV file whose header is `file,tags`, then one
/// row an image, its path (relative to the manifest's folder) and its tags separated by `|`:
///
/// ```
/// file,tags
/// images/00001.png,Shirt|Trouser
/// "images/with, comma.png",Sneaker
/// ```
///
/// Fields may be quoted as in RFC 4180 (a quote inside doubled). A dataset folder holds
/// `train.csv` and `test.csv` manifests (or `train.csv` alone, split by the test share), and
/// optionally `classes.txt`, which fixes the tags and their order; without it the tags are the
/// training manifest's, sorted.
public enum Manifest {
    public static let header = ["file", "tags"]
    public static let tagSeparator: Character = "|"
    /// The largest manifest read (a row is a few dozen bytes: this is millions of images).
    public static let maxBytes = 1 << 30

    /// One picture of a manifest and its tags.
    public struct Row: Sendable, Equatable {
        public let file: String
        public let tags: [String]
        /// The row's line in the file (the header is line 1).
        public let line: Int
    }

    /// Whether `url` is a manifest: a file whose first line is the header `file,tags`.
    public static func isManifest(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let start = try? handle.read(upToCount: 64) else { return false }
        var text = String(decoding: start, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let first =
            text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .first ?? ""
        return first.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == "file,tags"
    }

    /// The rows of the manifest at `url`.
    public static func read(at url: URL) throws(DataError) -> [Row] {
        let path = url.path
        if let problem = FileReading.problem(atPath: path) { throw .unreadable(path: path, reason: problem) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot be read")
        }
        guard data.count <= maxBytes else {
            throw .manifest(
                path: path, line: 1, reason: "the file is \(data.count) bytes; at most \(maxBytes) are read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .manifest(path: path, line: 1, reason: "expected UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// The rows of a manifest's text (read from `path`, which messages name).
    public static func parse(_ text: String, path: String) throws(DataError) -> [Row] {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        guard !body.allSatisfy(\.isWhitespace) else {
            throw .manifest(path: path, line: 1, reason: "the file is empty; expected the header 'file,tags'")
        }
        var rows = [Row]()
        var seen = [String: Int]()
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if lineNumber > 1, line.allSatisfy(\.isWhitespace) { continue }
            let fields = try split(line, path: path, line: lineNumber)
            if lineNumber == 1 {
                guard fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == header else {
                    throw .manifest(
                        path: path, line: 1,
                        reason: "expected the header 'file,tags', found '\(line.prefix(80))'")
                }
                continue
            }
            guard fields.count == 2 else {
                throw .manifest(
                    path: path, line: lineNumber,
                    reason: "expected 2 fields (file and tags), found \(fields.count)")
            }
            let file = fields[0].trimmingCharacters(in: .whitespaces)
            guard !file.isEmpty else { throw .manifest(path: path, line: lineNumber, reason: "the file name is empty") }
            let tags = fields[1].split(separator: tagSeparator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !tags.allSatisfy(\.isEmpty) else {
                throw .manifest(
                    path: path, line: lineNumber,
                    reason: "'\(file)' has no tags; every image needs at least one, separated by '|'")
            }
            if tags.contains(where: \.isEmpty) {
                throw .manifest(
                    path: path, line: lineNumber, reason: "'\(fields[1])' holds an empty tag (two '|' in a row?)")
            }
            if let twice = firstRepeat(tags) {
                throw .manifest(path: path, line: lineNumber, reason: "the tag '\(twice)' is given twice")
            }
            if let earlier = seen[file] {
                throw .manifest(
                    path: path, line: lineNumber, reason: "'\(file)' is listed again (first on line \(earlier))")
            }
            seen[file] = lineNumber
            rows.append(Row(file: file, tags: tags, line: lineNumber))
        }
        guard !rows.isEmpty else {
            throw .manifest(path: path, line: 2, reason: "no images listed after the header")
        }
        return rows
    }

    /// One line's fields, quotes as in RFC 4180.
    static func split(_ line: Substring, path: String, line number: Int) throws(DataError) -> [String] {
        var fields = [String]()
        var field = ""
        var quoted = false
        var index = line.startIndex
        var fieldStart = true
        while index < line.endIndex {
            let c = line[index]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex, line[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"", fieldStart {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
                fieldStart = true
                index = line.index(after: index)
                continue
            } else {
                field.append(c)
            }
            fieldStart = false
            index = line.index(after: index)
        }
        guard !quoted else { throw .manifest(path: path, line: number, reason: "a quoted field is not closed") }
        fields.append(field)
        return fields
    }

    static func firstRepeat(_ values: [String]) -> String? {
        var seen = Set<String>()
        return values.first { !seen.insert($0).inserted }
    }

    /// A field written as the manifest reads it: quoted when it holds a comma, a quote or
    /// spaces at its ends.
    public static func field(_ text: String) -> String {
        let needsQuotes =
            text.contains(",") || text.contains("\"") || text.first?.isWhitespace == true
            || text.last?.isWhitespace == true
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
