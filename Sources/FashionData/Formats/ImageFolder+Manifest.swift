import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ImageFolder {
    /// Reads a multi-label dataset from its manifests (`Manifest`): `train` and `test`, or a
    /// split of `train` (seeded, stratified by each image's first tag). Tags: `tagNames` (from
    /// a `classes.txt`) or the training manifest's, sorted. Pictures are prepared as class
    /// folders' are, and kept in the same cache.
    public static func read(manifest train: URL, test: URL?, tagNames given: [String]?, options: Options)
        throws(DataError) -> Loaded
    {
        let trainRows = try Manifest.read(at: train)
        let testRows = try test.map { (url) throws(DataError) in try Manifest.read(at: url) } ?? []
        let tagNames = given ?? Array(Set(trainRows.flatMap(\.tags))).sorted()
        guard tagNames.count <= 256 else {
            throw .manifest(
                path: train.path, line: 1, reason: "expected at most 256 tags, found \(tagNames.count)")
        }
        let index = Dictionary(uniqueKeysWithValues: tagNames.enumerated().map { ($1, $0) })
        var report = Report()
        var entries = [Entry]()
        func list(_ rows: [Manifest.Row], from manifest: URL, isTest: Bool) throws(DataError) {
            let folder = manifest.deletingLastPathComponent()
            for row in rows {
                var tags = [Int]()
                for tag in row.tags {
                    guard let position = index[tag] else {
                        let known = tagNames.prefix(20).joined(separator: ", ") + (tagNames.count > 20 ? ", ..." : "")
                        let source =
                            given == nil ? "the training manifest's tags" : "the tags of \(ClassNames.fileName)"
                        throw .manifest(
                            path: manifest.path, line: row.line,
                            reason: "unknown tag '\(tag)'; expected one of \(source): \(known)")
                    }
                    tags.append(position)
                }
                tags.sort()
                let path = row.file.hasPrefix("/") ? row.file : folder.appendingPathComponent(row.file).path
                var info = stat()
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    let reason = "'\(row.file)' is not a file (looked for \(path))"
                    guard options.skipBadImages else {
                        throw .manifest(path: manifest.path, line: row.line, reason: reason)
                    }
                    report.skipped.append(
                        Skipped(path: path, reason: "listed on line \(row.line) of \(manifest.path) but missing"))
                    continue
                }
                entries.append(
                    Entry(
                        path: path, name: row.file, label: tags[0], isTest: isTest, size: Int(info.st_size),
                        modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec), tags: tags))
            }
        }
        try list(trainRows, from: train, isTest: false)
        if let test { try list(testRows, from: test, isTest: true) }

        let key = cacheKey(
            entries, classNames: tagNames, options: options, split: test == nil, tagCount: tagNames.count)
        if let cacheFolder = options.cacheFolder, let cached = FolderCache.read(cacheFolder, key: key) {
            return cached
        }
        let loaded = try decode(
            entries, classNames: tagNames, options: options, split: test == nil, report: report,
            tagCount: tagNames.count)
        if let cacheFolder = options.cacheFolder { FolderCache.write(loaded, to: cacheFolder, key: key) }
        return loaded
    }
}
