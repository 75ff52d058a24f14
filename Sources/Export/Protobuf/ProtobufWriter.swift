/// The protocol-buffer wire format, as far as writing ONNX needs it: varints, 64-bit
/// integers, strings, bytes, packed repeated numbers and nested messages
/// (https://protobuf.dev/programming-guides/encoding/). Fields are written in the order they
/// are given; readers accept any order.
///
/// Written by hand rather than with swift-protobuf: ONNX export writes ten message types and
/// reads none, and this file is the whole of it (see the README's "Export" section for what
/// the generated code and its runtime would have cost).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ type: WireType) { varint(UInt64(field) << 3 | type.rawValue) }

    /// An int64 or int32 field (negative values as ten-byte two's complement, as protobuf says).
    mutating func integer(_ field: Int, _ value: Int) {
        tag(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A nested message: written into its own buffer first, as its length comes before it.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    /// `values` as raw little-endian float32 bytes (TensorProto's `raw_data`).
    static func rawFloats(_ values: [Float]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.bytes.reserveCapacity(values.count * 4)
        for value in values { writer.appendLittleEndian(value.bitPattern) }
        return writer.bytes
    }

    /// `values` as raw little-endian int64 bytes.
    static func rawInt64s(_ values: [Int]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for value in values {
            let bits = UInt64(bitPattern: Int64(value))
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
            }
        }
        return bytes
    }

    private mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
