import Foundation

/// The safetensors container (huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of JSON header (`{"__metadata__": {string: string}, name: {"dtype",
/// "shape", "data_offsets": [begin, end]}}`, padded with spaces to a multiple of 8), then the
/// tensors' bytes. F32 and I8 tensors are written and read here (I8 values as the Floats of
/// those integers).
public enum SafeTensors {
    /// A tensor's element type, as the header names it.
    public enum DType: String, Sendable {
        case f32 = "F32"
        case i8 = "I8"

        var size: Int { self == .f32 ? 4 : 1 }
    }

    /// One named tensor of a safetensors file: its type, shape and values.
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let values: [Float]
        public let dtype: DType

        /// For `.i8`, each value is written as the nearest integer in [-128, 127].
        public init(name: String, shape: [Int], values: [Float], dtype: DType = .f32) {
            self.name = name
            self.shape = shape
            self.values = values
            self.dtype = dtype
        }
    }

    public static func encode(_ tensors: [Tensor], metadata: [String: String]) -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for tensor in tensors {
            let size = tensor.values.count * tensor.dtype.size
            header[tensor.name] =
                ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + size]]
                as [String: Any]
            offset += size
        }
        // JSONSerialization cannot fail on strings, numbers, arrays and dictionaries.
        var json =
            (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])).map { [UInt8]($0) } ?? []
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        let length = UInt64(json.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        bytes += json
        for tensor in tensors {
            if tensor.dtype == .i8 {
                for value in tensor.values {
                    let integer = value.isFinite ? Int8(max(-128, min(127, value.rounded()))) : 0
                    bytes.append(UInt8(bitPattern: integer))
                }
                continue
            }
            for value in tensor.values {
                let bits = value.bitPattern.littleEndian
                bytes += [
                    UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                    UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24),
                ]
            }
        }
        return bytes
    }

    /// Decodes a file's bytes; `path` is named in every error.
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelError) -> (
        tensors: [Tensor], metadata: [String: String]
    ) {
        func fail(_ reason: String) -> ModelError { .modelFile(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("too short for a safetensors file (\(bytes.count) bytes)") }
        var length = 0
        for i in 0..<8 { length |= Int(bytes[i]) << (8 * i) }
        guard length > 1, length <= bytes.count - 8, length < 100_000_000 else {
            throw fail("not a safetensors file: the header length \(length) does not fit the \(bytes.count)-byte file")
        }
        let headerBytes = Data(bytes[8..<(8 + length)])
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw fail("not a safetensors file: the header is not a JSON object")
        }
        let metadata = (header["__metadata__"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        let dataStart = 8 + length
        var tensors = [Tensor]()
        var spans = [(name: String, begin: Int, end: Int)]()
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw fail("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let type = DType(rawValue: dtype) else {
                throw fail("tensor '\(name)' has dtype \(dtype); expected F32 or I8")
            }
            // Checked products: a shape read from the file must not overflow (or trap).
            var count = 1
            for size in shape {
                let (next, overflow) = count.multipliedReportingOverflow(by: size)
                guard size >= 0, !overflow, next <= bytes.count else {
                    throw fail("tensor '\(name)' has shape \(shape), more values than the file holds")
                }
                count = next
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == count * type.size,
                offsets[1] <= bytes.count - dataStart
            else {
                throw fail(
                    "tensor '\(name)' of shape \(shape) has data_offsets \(offsets) that do not fit its size or the "
                        + "file"
                )
            }
            var values = [Float](repeating: 0, count: count)
            var p = dataStart + offsets[0]
            if type == .i8 {
                for i in 0..<count { values[i] = Float(Int8(bitPattern: bytes[p + i])) }
                tensors.append(Tensor(name: name, shape: shape, values: values, dtype: .i8))
                spans.append((name, offsets[0], offsets[1]))
                continue
            }
            for i in 0..<count {
                let bits =
                    UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3])
                    << 24
                values[i] = Float(bitPattern: bits)
                p += 4
            }
            tensors.append(Tensor(name: name, shape: shape, values: values))
            spans.append((name, offsets[0], offsets[1]))
        }
        // As Python's safetensors: the tensors tile the data buffer, in order, with no gap or overlap.
        var end = 0
        for span in spans.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard span.begin == end else {
                throw fail(
                    "tensor '\(span.name)' starts at byte \(span.begin) of the data, expected \(end): tensors must "
                        + "follow "
                        + "each other without gaps or overlaps")
            }
            end = span.end
        }
        guard end == bytes.count - dataStart else {
            throw fail(
                "the tensors end at byte \(end) of the data, but the file has \(bytes.count - dataStart) bytes after "
                    + "the header"
            )
        }
        return (tensors.sorted { $0.name < $1.name }, metadata)
    }
}
