import Foundation
import _Files

/// Decoded image-folder datasets kept as one packed file each, keyed by the pictures' paths,
/// sizes and modification times and by the preparation (`ImageFolder.cacheKey`): a changed,
/// added or removed picture, or other options, make another key. Later loads map the file.
///
/// Layout: `FASHIONFOLDERS1\n`, an 8-byte little-endian length, that many bytes of JSON (the
/// shapes, counts, class names and report), then the training labels, the test labels, the
/// training pixels and the test pixels; for a manifest's multi-label data, then the training
/// and the test tags (multi-hot, `tagCount` bytes an image).
enum FolderCache {
    static let magic = Array("FASHIONFOLDERS1\n".utf8)

    struct Header: Codable {
        let rows: Int
        let columns: Int
        let channels: Int
        let trainCount: Int
        let testCount: Int
        let classNames: [String]
        let report: ImageFolder.Report
        var tagCount: Int? = nil
    }

    static func url(_ folder: URL, key: String) -> URL { folder.appendingPathComponent("folders-\(key).bin") }

    static func read(_ folder: URL, key: String) -> ImageFolder.Loaded? {
        guard let data = try? Data(contentsOf: url(folder, key: key), options: .alwaysMapped) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> ImageFolder.Loaded? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count > magic.count + 8, Array(bytes[0..<magic.count]) == magic else { return nil }
            var length = 0
            for i in 0..<8 { length |= Int(bytes[magic.count + i]) << (8 * i) }
            let start = magic.count + 8
            guard length > 0, length < 1 << 30, start + length <= bytes.count,
                let header = try? JSONDecoder().decode(
                    Header.self, from: Data(bytes[start..<(start + length)]))
            else { return nil }
            let size = header.rows * header.columns * header.channels
            let labels = start + length
            let pixels = labels + header.trainCount + header.testCount
            let tagCount = header.tagCount ?? 0
            let tagStart = pixels + (header.trainCount + header.testCount) * size
            guard header.trainCount >= 0, header.testCount >= 0, size > 0, tagCount >= 0,
                tagStart + (header.trainCount + header.testCount) * tagCount == bytes.count
            else { return nil }
            let trainPixels = Array(bytes[pixels..<(pixels + header.trainCount * size)])
            let testPixels = Array(bytes[(pixels + header.trainCount * size)..<tagStart])
            let middle = tagStart + header.trainCount * tagCount
            let trainTags = tagCount > 0 ? Array(bytes[tagStart..<middle]) : nil
            let testTags = tagCount > 0 ? Array(bytes[middle..<bytes.count]) : nil
            var report = header.report
            report.fromCache = true
            return ImageFolder.Loaded(
                train: LabeledImages(
                    pixels: trainPixels, labels: Array(bytes[labels..<(labels + header.trainCount)]), rows: header.rows,
                    columns: header.columns, channels: header.channels, tags: trainTags, tagCount: tagCount),
                test: LabeledImages(
                    pixels: testPixels, labels: Array(bytes[(labels + header.trainCount)..<pixels]), rows: header.rows,
                    columns: header.columns, channels: header.channels, tags: testTags, tagCount: tagCount),
                classNames: header.classNames, report: report)
        }
    }

    /// Writes the cache file atomically; a cache that cannot be written is only a slower next load.
    static func write(_ loaded: ImageFolder.Loaded, to folder: URL, key: String) {
        let header = Header(
            rows: loaded.train.rows, columns: loaded.train.columns, channels: loaded.train.channels,
            trainCount: loaded.train.count, testCount: loaded.test.count, classNames: loaded.classNames,
            report: loaded.report, tagCount: loaded.train.isMultiLabel ? loaded.train.tagCount : nil)
        guard let json = try? JSONEncoder().encode(header) else { return }
        var bytes = magic
        bytes.reserveCapacity(
            magic.count + 8 + json.count + loaded.train.count + loaded.test.count + loaded.train.pixels.count
                + loaded.test.pixels.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: json.count >> (8 * i))) }
        bytes += json
        bytes += loaded.train.labels
        bytes += loaded.test.labels
        bytes += loaded.train.pixels
        bytes += loaded.test.pixels
        bytes += loaded.train.tags ?? []
        bytes += loaded.test.tags ?? []
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? AtomicFile.write(bytes, to: url(folder, key: key))
    }
}
