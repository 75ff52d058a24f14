/// The parts of ONNX's `onnx.proto` (proto2, package `onnx`) that an exported classifier
/// uses, as plain values, each with its field numbers in `encode`. A file is one `ONNXModel`.
struct ONNXModel {
    /// The ONNX IR version and the default-domain opset the file is stamped with: current
    /// onnxruntime (1.32) loads IR up to 14 and opset up to 28; Gelu needs opset 20 or later.
    static let irVersion = 10
    static let opsetVersion = 21

    var producerName = "fashion"
    var producerVersion: String
    var docString: String
    var graph: ONNXGraph
    /// Key-value pairs a reader finds in `metadata_props` (onnxruntime:
    /// `session.get_modelmeta().custom_metadata_map`).
    var metadata: [(key: String, value: String)]

    /// ModelProto: ir_version=1, producer_name=2, producer_version=3, doc_string=6, graph=7,
    /// opset_import=8, metadata_props=14.
    func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.integer(1, Self.irVersion)
        w.string(2, producerName)
        w.string(3, producerVersion)
        w.string(6, docString)
        w.message(7) { graph.encode(into: &$0) }
        // OperatorSetIdProto: domain=1 ("" is ai.onnx), version=2.
        w.message(8) { opset in
            opset.string(1, "")
            opset.integer(2, Self.opsetVersion)
        }
        for (key, value) in metadata {
            // StringStringEntryProto: key=1, value=2.
            w.message(14) { entry in
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return w.bytes
    }
}

/// GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12.
struct ONNXGraph {
    var name: String
    var nodes: [ONNXNode] = []
    var initializers: [ONNXTensor] = []
    var inputs: [ONNXValueInfo] = []
    var outputs: [ONNXValueInfo] = []

    func encode(into w: inout ProtobufWriter) {
        for node in nodes { w.message(1) { node.encode(into: &$0) } }
        w.string(2, name)
        for tensor in initializers { w.message(5) { tensor.encode(into: &$0) } }
        for input in inputs { w.message(11) { input.encode(into: &$0) } }
        for output in outputs { w.message(12) { output.encode(into: &$0) } }
    }
}

/// NodeProto: input=1, output=2, name=3, op_type=4, attribute=5.
struct ONNXNode {
    var opType: String
    var name: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [ONNXAttribute] = []

    func encode(into w: inout ProtobufWriter) {
        for input in inputs { w.string(1, input) }
        for output in outputs { w.string(2, output) }
        w.string(3, name)
        w.string(4, opType)
        for attribute in attributes { w.message(5) { attribute.encode(into: &$0) } }
    }
}

/// AttributeProto: name=1, f=2, i=3, s=4, ints=8, type=20 (FLOAT=1, INT=2, STRING=3, INTS=7).
struct ONNXAttribute {
    enum Value {
        case float(Float)
        case int(Int)
        case string(String)
        case ints([Int])
    }

    var name: String
    var value: Value

    static func float(_ name: String, _ value: Float) -> ONNXAttribute {
        ONNXAttribute(name: name, value: .float(value))
    }
    static func int(_ name: String, _ value: Int) -> ONNXAttribute { ONNXAttribute(name: name, value: .int(value)) }
    static func string(_ name: String, _ value: String) -> ONNXAttribute {
        ONNXAttribute(name: name, value: .string(value))
    }
    static func ints(_ name: String, _ value: [Int]) -> ONNXAttribute { ONNXAttribute(name: name, value: .ints(value)) }

    func encode(into w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {
        case .float(let f):
            w.float(2, f)
            w.integer(20, 1)
        case .int(let i):
            w.integer(3, i)
            w.integer(20, 2)
        case .string(let s):
            w.bytes(4, Array(s.utf8))
            w.integer(20, 3)
        case .ints(let values):
            // Repeated int64 in proto2 without [packed=true]: one field a value.
            for v in values { w.integer(8, v) }
            w.integer(20, 7)
        }
    }
}

/// TensorProto: dims=1, data_type=2 (FLOAT=1, UINT8=2, INT8=3, INT64=7), name=8, raw_data=9
/// (little-endian).
struct ONNXTensor {
    enum Values {
        case float([Float])
        case int64([Int])
        case uint8([UInt8])
        case int8([Int8])
    }

    var name: String
    var dimensions: [Int]
    var values: Values

    func encode(into w: inout ProtobufWriter) {
        for d in dimensions { w.integer(1, d) }
        switch values {
        case .float(let floats):
            w.integer(2, 1)
            w.string(8, name)
            w.bytes(9, ProtobufWriter.rawFloats(floats))
        case .int64(let integers):
            w.integer(2, 7)
            w.string(8, name)
            w.bytes(9, ProtobufWriter.rawInt64s(integers))
        case .uint8(let bytes):
            w.integer(2, 2)
            w.string(8, name)
            w.bytes(9, bytes)
        case .int8(let bytes):
            w.integer(2, 3)
            w.string(8, name)
            w.bytes(9, bytes.map { UInt8(bitPattern: $0) })
        }
    }
}

/// ValueInfoProto: name=1, type=2 → TypeProto: tensor_type=1 → Tensor: elem_type=1 (FLOAT=1),
/// shape=2 → TensorShapeProto: dim=1 → Dimension: dim_value=1 | dim_param=2.
struct ONNXValueInfo {
    enum Dimension {
        case value(Int)
        case parameter(String)
    }

    var name: String
    var shape: [Dimension]

    func encode(into w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.integer(1, 1)
                tensor.message(2) { shape in
                    for dimension in self.shape {
                        shape.message(1) { d in
                            switch dimension {
                            case .value(let v): d.integer(1, v)
                            case .parameter(let p): d.string(2, p)
                            }
                        }
                    }
                }
            }
        }
    }
}
