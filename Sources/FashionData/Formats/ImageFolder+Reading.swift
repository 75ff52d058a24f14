import Foundation
import NumericCore
import _Files

#if canImport(Glibc)
    import Glibc
#endif

extension ImageFolder {
    /// Both splits of a folder dataset, read (or taken from the cache) and prepared.
    public struct Loaded: Sendable {
        public let train: LabeledImages
        public let test: LabeledImages
        public let classNames: [String]
        public let report: Report
    }

    struct Entry {
        let path: String
        let name: String
        let label: Int
        let isTest: Bool
        let size: Int
        let modified: Int
        /// A manifest's tags (indices, ascending); empty for class folders.
        var tags: [Int] = []
    }

    /// Reads the folder dataset at `train` (and `test`, or a split of `train`). Class names:
    /// `classNames` (from a `classes.txt`, each a folder) or the sorted class folders.
    public static func read(train: URL, test: URL?, classNames given: [String]?, options: Options) throws(DataError)
        -> Loaded
    {
        guard let found = classFolders(in: train) else {
            throw .fileMissing(path: train.path, hint: "No class folder with PNG or JPEG pictures in it.")
        }
        let classNames = given ?? found
        for name in classNames where !found.contains(name) {
            throw .classNames(path: train.path, reason: "class '\(name)' has no folder \(name)/ here")
        }
        var report = Report()
        var entries = [Entry]()
        func list(_ root: URL, isTest: Bool) throws(DataError) {
            let folders = (classFolders(in: root) ?? [])
            for folder in folders where !classNames.contains(folder) {
                throw .classNames(
                    path: root.appendingPathComponent(folder).path,
                    reason:
                        "class '\(folder)' is in \(isTest ? "test" : "this split") but not among the training "
                        + "classes (\(classNames.joined(separator: ", ")))")
            }
            for (label, name) in classNames.enumerated() {
                let folder = root.appendingPathComponent(name)
                let files = pictures(in: folder)
                if files.isEmpty {
                    // A class the test split lacks is fine; an empty class folder is not.
                    if isTest && !FileManager.default.fileExists(atPath: folder.path) { continue }
                    let reason = "the class folder has no PNG or JPEG pictures"
                    guard options.skipBadImages else { throw .invalidImage(path: folder.path, reason: reason) }
                    report.skipped.append(Skipped(path: folder.path, reason: reason))
                    continue
                }
                // Each file's size and time, looked up in its folder (not by walking the whole path).
                let directory = open(folder.path, O_RDONLY | O_DIRECTORY)
                defer { if directory >= 0 { close(directory) } }
                let prefix = folder.path + "/"
                for file in files {
                    let path = prefix + file
                    var info = stat()
                    guard directory >= 0, fstatat(directory, file, &info, 0) == 0 else {
                        throw .unreadable(path: path, reason: String(cString: strerror(errno)))
                    }
                    entries.append(
                        Entry(
                            path: path, name: file, label: label, isTest: isTest, size: Int(info.st_size),
                            modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)))
                }
            }
        }
        try list(train, isTest: false)
        if let test { try list(test, isTest: true) }
        entries.sort { ($0.isTest ? 1 : 0, $0.name, $0.label) < ($1.isTest ? 1 : 0, $1.name, $1.label) }

        let key = cacheKey(entries, classNames: classNames, options: options, split: test == nil, tagCount: 0)
        if let cacheFolder = options.cacheFolder, let cached = FolderCache.read(cacheFolder, key: key) {
            return cached
        }
        let loaded = try decode(entries, classNames: classNames, options: options, split: test == nil, report: report)
        if let cacheFolder = options.cacheFolder { FolderCache.write(loaded, to: cacheFolder, key: key) }
        return loaded
    }

    static func cacheKey(_ entries: [Entry], classNames: [String], options: Options, split: Bool, tagCount: Int)
        -> String
    {
        var hash = MD5()
        hash.update(Array((tagCount > 0 ? "fashion-manifest-1 \(tagCount)\n" : "fashion-folders-1\n").utf8))
        hash.update(Array("\(options.imageSize?.description ?? "-") \(options.colour?.rawValue ?? "-") ".utf8))
        hash.update(Array("\(split ? "\(options.testSplit) \(options.seed)" : "two") \(options.skipBadImages)\n".utf8))
        if options.fit != .letterbox { hash.update(Array("fit \(options.fit.rawValue)\n".utf8)) }
        hash.update(Array(classNames.joined(separator: "\n").utf8))
        for entry in entries {
            hash.update(Array("\n\(entry.isTest) \(entry.label) \(entry.size) \(entry.modified) \(entry.path)".utf8))
            if tagCount > 0 { hash.update(Array(" \(entry.tags)".utf8)) }
        }
        return hash.finalizeHex()
    }
}
