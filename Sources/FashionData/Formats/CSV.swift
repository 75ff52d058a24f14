import Foundation
import _Files

/// Reader for the CSV form of MNIST-style datasets that Kaggle distributes
/// (`fashion-mnist_train.csv`): a header row `label,pixel1,...,pixelN`, then one image a row,
/// the label first and the `N` pixels (0...255, row-major) after it. `N` must be a square
/// (784 = 28x28) unless `rows` and `columns` are given.
public enum CSV {
    public static func read(at url: URL, rows: Int? = nil, columns: Int? = nil) throws(DataError) -> LabeledImages {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .fileMissing(path: path, hint: "") }
        var bytes: [UInt8]
        do { bytes = try FileReading.bytes(atPath: path) } catch { throw .unreadable(path: path, reason: error.reason) }
        if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(bytes, path: path) }
        return try parse(bytes, path: path, rows: rows, columns: columns)
    }

    public static func parse(_ bytes: [UInt8], path: String, rows: Int? = nil, columns: Int? = nil) throws(DataError)
        -> LabeledImages
    {
        var lines = LineCursor(bytes: bytes)
        guard let header = lines.next() else {
            throw .csvColumns(path: path, line: 1, expected: 2, found: 0)
        }
        let headerFields = fields(of: header.range, in: bytes)
        let columnCount = headerFields.count
        let firstHeader = String(decoding: bytes[headerFields[0]], as: UTF8.self).lowercased()
            .trimmingCharacters(in: CharacterSet(charactersIn: "\" \u{FEFF}"))
        guard firstHeader == "label" else {
            throw .csvValue(
                path: path, line: 1, column: 1, expected: "a header row starting with 'label'", found: firstHeader)
        }
        let pixelCount = columnCount - 1
        let (height, width) = try shape(pixelCount: pixelCount, rows: rows, columns: columns, path: path)

        var pixels = [UInt8]()
        var labels = [UInt8]()
        pixels.reserveCapacity(bytes.count / 3)
        while let line = lines.next() {
            if line.range.isEmpty { continue }
            let lineNumber = line.number
            var column = 0
            var value = 0
            var digits = 0
            var start = line.range.lowerBound
            func finish(_ end: Int) throws(DataError) {
                column += 1
                if column > columnCount {
                    throw .csvColumns(
                        path: path, line: lineNumber, expected: columnCount,
                        found: fields(of: line.range, in: bytes).count)
                }
                guard digits > 0, digits <= 3, value <= 255 else {
                    let text = String(decoding: bytes[start..<end], as: UTF8.self)
                    let expected = column == 1 ? "a class label 0...255" : "a pixel value 0...255"
                    throw .csvValue(path: path, line: lineNumber, column: column, expected: expected, found: text)
                }
                if column == 1 { labels.append(UInt8(value)) } else { pixels.append(UInt8(value)) }
                value = 0
                digits = 0
            }
            var index = line.range.lowerBound
            while index < line.range.upperBound {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    try finish(index)
                    start = index + 1
                } else if byte >= 48 && byte <= 57 {
                    value = value * 10 + Int(byte - 48)
                    digits += 1
                    if digits > 3 { value = 1000 }  // keeps the check above simple
                } else if byte != UInt8(ascii: " ") {
                    digits = 99  // anything but digits and spaces is invalid
                }
                index += 1
            }
            try finish(line.range.upperBound)
            if column != columnCount {
                throw .csvColumns(path: path, line: lineNumber, expected: columnCount, found: column)
            }
        }
        guard !labels.isEmpty else {
            throw .dimensionMismatch(
                path: path, reason: "a header and no images: expected at least one row of label and pixels")
        }
        return LabeledImages(pixels: pixels, labels: labels, rows: height, columns: width)
    }

    private static func shape(pixelCount: Int, rows: Int?, columns: Int?, path: String) throws(DataError) -> (Int, Int)
    {
        if let rows, let columns {
            guard rows * columns == pixelCount else {
                throw .dimensionMismatch(
                    path: path,
                    reason:
                        "\(rows)x\(columns) images need \(rows * columns) pixel columns, the header has \(pixelCount)")
            }
            return (rows, columns)
        }
        let side = Int(Double(pixelCount).squareRoot().rounded())
        guard pixelCount > 0, side * side == pixelCount else {
            throw .dimensionMismatch(
                path: path,
                reason: "the header has \(pixelCount) pixel columns, which is not a square image; give the image size")
        }
        return (side, side)
    }

    private static func fields(of range: Range<Int>, in bytes: [UInt8]) -> [Range<Int>] {
        var result = [Range<Int>]()
        var start = range.lowerBound
        for i in range where bytes[i] == UInt8(ascii: ",") {
            result.append(start..<i)
            start = i + 1
        }
        result.append(start..<range.upperBound)
        return result
    }

    /// Walks the lines of a byte buffer (LF or CRLF), numbering them from 1.
    private struct LineCursor {
        let bytes: [UInt8]
        var position = 0
        var number = 0

        mutating func next() -> (range: Range<Int>, number: Int)? {
            guard position < bytes.count else { return nil }
            number += 1
            var end = position
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var lineEnd = end
            if lineEnd > position && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            defer { position = end + 1 }
            return (position..<lineEnd, number)
        }
    }
}
