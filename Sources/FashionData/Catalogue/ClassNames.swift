import Foundation
import _Files

/// Class names from a text file: one name a line, in label order; blank lines and lines
/// starting with `#` are skipped.
public enum ClassNames {
    public static let fileName = "classes.txt"

    public static func read(at url: URL) throws(DataError) -> [String] {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .fileMissing(path: path, hint: "A class-names file lists one class name a line, in label order.")
        }
        if let problem = FileReading.problem(atPath: path) { throw .classNames(path: path, reason: problem) }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .classNames(path: path, reason: "cannot read it as UTF-8 text: \(error.localizedDescription)")
        }
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard names.count >= 2 else {
            throw .classNames(path: path, reason: "expected at least 2 class names, one a line; found \(names.count)")
        }
        guard names.count <= 256 else {
            throw .classNames(
                path: path, reason: "expected at most 256 class names (labels are bytes); found \(names.count)")
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw .classNames(path: path, reason: "the class name '\(name)' appears twice")
        }
        return names
    }
}
