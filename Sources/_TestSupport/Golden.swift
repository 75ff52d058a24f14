import Foundation

/// Golden files for text a person reads (help, reports, error messages). Set
/// `RECORD_GOLDEN=1` to re-record: the files are rewritten and the check fails, so nothing
/// is accepted silently; review the diff and run again.
public enum Golden {
    /// Compares `text` with `Tests/<folder>/Snapshots/<name>.txt`; returns a failure
    /// message, or nil when they agree.
    public static func check(_ text: String, named name: String, testFile: String = #filePath) -> String? {
        let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Snapshots")
        let url = folder.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? text.write(to: url, atomically: true, encoding: .utf8)
            return "re-recorded \(url.path); review it and run again without RECORD_GOLDEN"
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "no golden file \(url.path); run with RECORD_GOLDEN=1 to record it"
        }
        if expected == text { return nil }
        let a = expected.components(separatedBy: "\n")
        let b = text.components(separatedBy: "\n")
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let want = line < a.count ? a[line] : "<end>"
        let got = line < b.count ? b[line] : "<end>"
        return "differs from \(url.lastPathComponent) at line \(line + 1):\n  expected: \(want)\n  found:    \(got)"
    }
}
