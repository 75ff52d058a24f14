import FashionData
import Foundation
import _CTurboJPEG
import _CZlib

/// Tiny datasets built in code, for unit tests. Image `i` starts with the pixels `i % 256`
/// and `i / 256`, so every image differs; pixel `p >= 2` is `(i * 7 + p * 3) % 256`.
public enum Fixtures {
    public static func pixels(count: Int, rows: Int, columns: Int) -> [UInt8] {
        (0..<count).flatMap { image in
            (0..<(rows * columns)).map { p in
                switch p {
                case 0: UInt8(image % 256)
                case 1: UInt8(truncatingIfNeeded: image / 256)
                default: UInt8((image * 7 + p * 3) % 256)
                }
            }
        }
    }

    /// Labels cycling through `classCount` classes: 0, 1, ..., classCount-1, 0, ...
    public static func labels(count: Int, classCount: Int) -> [UInt8] {
        (0..<count).map { UInt8($0 % classCount) }
    }

    public static func images(count: Int, rows: Int = 4, columns: Int = 4, classCount: Int = 3) -> LabeledImages {
        LabeledImages(
            pixels: pixels(count: count, rows: rows, columns: columns),
            labels: labels(count: count, classCount: classCount), rows: rows, columns: columns)
    }

    /// Writes an MNIST-style folder (the four published file names) and returns it.
    @discardableResult
    public static func writeIDXFolder(
        _ folder: URL, train: LabeledImages, test: LabeledImages, compressed: Bool = true
    ) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let suffix = compressed ? ".gz" : ""
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(compressed ? gzip(bytes) : bytes).write(to: folder.appendingPathComponent(name + suffix))
        }
        try write(
            "train-images-idx3-ubyte",
            IDX.encode(dimensions: [train.count, train.rows, train.columns], values: train.pixels))
        try write("train-labels-idx1-ubyte", IDX.encode(dimensions: [train.count], values: train.labels))
        try write(
            "t10k-images-idx3-ubyte",
            IDX.encode(dimensions: [test.count, test.rows, test.columns], values: test.pixels))
        try write("t10k-labels-idx1-ubyte", IDX.encode(dimensions: [test.count], values: test.labels))
        return folder
    }

    /// The CSV form of a set, as Kaggle publishes it.
    public static func csv(_ images: LabeledImages) -> String {
        var lines = ["label," + (1...images.pixelsPerImage).map { "pixel\($0)" }.joined(separator: ",")]
        for i in 0..<images.count {
            lines.append(([String(images.labels[i])] + images.image(at: i).map { String($0) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// gzip-compresses bytes (a gzip header, as `gzip` writes).
    public static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)
        )
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Int in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

/// A fresh temporary folder, removed when the value is released... by the caller's `defer`.
public struct TemporaryFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fashion-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// zlib's checksum and compression, for building test files by hand.
public enum Checksums {
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        UInt32(bytes.withUnsafeBufferPointer { _CZlib.crc32(0, $0.baseAddress, UInt32($0.count)) })
    }

    public static func zlibCompress(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        _ = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer {
                compress(($0.baseAddress!), &length, source.baseAddress, uLong(input.count))
            }
        }
        return Array(output.prefix(Int(length)))
    }
}

/// JPEG files made with libjpeg-turbo, for tests that decode or upload photos.
public enum TestJPEG {
    /// `pixels` (`height` rows of `width`, 1 or 3 channels) as a baseline JPEG at `quality`.
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8], quality: Int32 = 95) -> [UInt8] {
        guard let handle = tjInitCompress() else { return [] }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsampling = channels == 1 ? TJSAMP_GRAY : TJSAMP_444
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, Int32(width), Int32(width * channels), Int32(height), Int32(format.rawValue),
                &output, &size, Int32(subsampling.rawValue), quality, TJFLAG_ACCURATEDCT)
        }
        guard status == 0, let output else { return [] }
        defer { tjFree(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
