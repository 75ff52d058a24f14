import Foundation
import _CZlib

/// gzip and zlib decompression through the system zlib.
public enum Gzip {
    /// True when `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most a stream may inflate to by default: 1 GiB (Fashion-MNIST's largest file is 47 MB).
    public static let maximumOutput = 1 << 30

    /// Inflates a gzip stream (or a zlib stream, detected from its header). Concatenated gzip
    /// members are decoded one after another, as `gunzip` does.
    ///
    /// - Parameters:
    ///   - input: the compressed bytes.
    ///   - path: named in the error when the data is corrupt or cut short.
    ///   - sizeHint: the expected size, to allocate once (0: unknown).
    ///   - limit: the most bytes it may inflate to (a small "gzip bomb" can claim
    ///   gigabytes); more is an error naming the file.
    public static func decompress(_ input: [UInt8], path: String, sizeHint: Int = 0, limit: Int = maximumOutput)
        throws(DataError) -> [UInt8]
    {
        var output = [UInt8]()
        output.reserveCapacity(min(limit, max(sizeHint, input.count * 4)))
        var stream = z_stream()
        // 15 window bits + 32: detect zlib or gzip headers automatically.
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw .corruptGzip(path: path, reason: "zlib could not start (status \(status))")
        }
        defer { inflateEnd(&stream) }

        let chunk = min(1 << 20, max(1 << 16, input.count * 8))
        var buffer = [UInt8](repeating: 0, count: chunk)
        var consumed = 0
        try input.withUnsafeBufferPointer { (source) throws(DataError) in
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
                stream.avail_in = UInt32(source.count - consumed)
                repeat {
                    let produced = buffer.withUnsafeMutableBufferPointer { target -> Int in
                        stream.next_out = target.baseAddress
                        stream.avail_out = UInt32(chunk)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return chunk - Int(stream.avail_out)
                    }
                    guard output.count + produced <= limit else {
                        throw .corruptGzip(
                            path: path,
                            reason: "it inflates to more than \(limit) bytes, more than any dataset file (a gzip bomb?)"
                        )
                    }
                    output.append(contentsOf: buffer[0..<produced])
                    if status == Z_STREAM_END { break }
                    if status != Z_OK {
                        let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                        throw .corruptGzip(path: path, reason: message)
                    }
                    if stream.avail_in == 0 && stream.avail_out != 0 {
                        throw .corruptGzip(
                            path: path, reason: "the stream ends early, after \(output.count) decompressed bytes")
                    }
                } while true
                consumed = source.count - Int(stream.avail_in)
                // Another gzip member may follow (rare, but legal).
                if consumed + 2 <= source.count, source[consumed] == 0x1F, source[consumed + 1] == 0x8B {
                    inflateReset(&stream)
                    continue
                }
                break
            }
        }
        return output
    }
}
