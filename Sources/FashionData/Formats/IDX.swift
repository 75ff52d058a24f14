import Foundation
import _Files

/// Reader for the IDX format of MNIST-style datasets: a 4-byte magic number (two zero bytes,
/// a type code, the number of dimensions), one big-endian `UInt32` per dimension, then the
/// values in row-major order. Files may be gzip-compressed or raw; both load the same way.
///
/// Only the unsigned-byte type (0x08), the one every MNIST-style dataset uses, is read.
public enum IDX {
    /// A decoded IDX array: its dimensions and its bytes.
    public struct Contents: Sendable {
        public let dimensions: [Int]
        public let values: [UInt8]
    }

    /// Reads the file at `url`, gunzipping it when it is compressed.
    public static func readFile(at url: URL) throws(DataError) -> [UInt8] {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .fileMissing(path: path, hint: "")
        }
        let bytes: [UInt8]
        do { bytes = try FileReading.bytes(atPath: path) } catch { throw .unreadable(path: path, reason: error.reason) }
        return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
    }

    /// Parses IDX bytes. `path` is named in errors.
    public static func parse(_ bytes: [UInt8], path: String, expectedDimensions: Int) throws(DataError) -> Contents {
        guard bytes.count >= 4 else {
            throw .truncated(path: path, expectedBytes: 4, foundBytes: bytes.count)
        }
        let magic = bytes[0..<4].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let expectedMagic = "0x000008" + String(expectedDimensions, radix: 16).leftPadded(to: 2)
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, Int(bytes[3]) == expectedDimensions else {
            let kind = expectedDimensions == 1 ? "idx1 labels" : "idx\(expectedDimensions) unsigned-byte array"
            throw .badMagic(path: path, expected: "\(expectedMagic) (\(kind))", found: "0x" + magic)
        }
        let headerSize = 4 + 4 * expectedDimensions
        guard bytes.count >= headerSize else {
            throw .truncated(path: path, expectedBytes: headerSize, foundBytes: bytes.count)
        }
        var dimensions = [Int]()
        var total = 1
        for d in 0..<expectedDimensions {
            let o = 4 + 4 * d
            let size = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dimensions.append(size)
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw .dimensionMismatch(
                    path: path,
                    reason: "dimensions \(dimensions.map(String.init).joined(separator: "x")) are too large to be real")
            }
            total = product
        }
        let payload = bytes.count - headerSize
        if payload < total {
            throw .truncated(path: path, expectedBytes: headerSize + total, foundBytes: bytes.count)
        }
        if payload > total {
            let shape = dimensions.map(String.init).joined(separator: "x")
            throw .dimensionMismatch(
                path: path,
                reason:
                    "dimensions \(shape) need \(headerSize + total) bytes but the file holds \(bytes.count) "
                    + "(\(payload - total) bytes too many)"
            )
        }
        return Contents(dimensions: dimensions, values: Array(bytes[headerSize...]))
    }

    /// Reads an idx3 image file: `[count, rows, columns]` bytes.
    public static func readImages(at url: URL) throws(DataError) -> (
        count: Int, rows: Int, columns: Int, pixels: [UInt8]
    ) {
        let array = try parse(readFile(at: url), path: url.path, expectedDimensions: 3)
        let d = array.dimensions
        guard d[1] > 0, d[2] > 0 else {
            throw .dimensionMismatch(path: url.path, reason: "images must be at least 1x1, found \(d[1])x\(d[2])")
        }
        return (d[0], d[1], d[2], array.values)
    }

    /// Reads an idx1 label file.
    public static func readLabels(at url: URL) throws(DataError) -> [UInt8] {
        try parse(readFile(at: url), path: url.path, expectedDimensions: 1).values
    }

    /// Reads a pair of image and label files into one set, checking that they agree.
    public static func read(images: URL, labels: URL) throws(DataError) -> LabeledImages {
        let imageArray = try readImages(at: images)
        let labelValues = try readLabels(at: labels)
        guard imageArray.count == labelValues.count else {
            throw .countMismatch(
                images: images.path, imageCount: imageArray.count, labels: labels.path, labelCount: labelValues.count)
        }
        return LabeledImages(
            pixels: imageArray.pixels, labels: labelValues, rows: imageArray.rows, columns: imageArray.columns)
    }

    /// Encodes arrays in IDX form (used to export subsets and to build test fixtures).
    public static func encode(dimensions: [Int], values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions {
            bytes += [
                UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d),
            ]
        }
        return bytes + values
    }
}
