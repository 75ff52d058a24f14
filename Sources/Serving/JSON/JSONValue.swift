/// A JSON document as read by `JSONReader`: numbers as `Double` (the V2 protocol's tensors
/// are read from them), objects as dictionaries (a repeated key is an error when reading).
/// An array of numbers only is kept packed (`numbers`): a tensor's data is thousands of them.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An array whose items are all numbers.
    case numbers([Double])
    case object([String: JSONValue])

    /// The items of an array, packed or not.
    var items: [JSONValue]? {
        switch self {
        case .array(let items): return items
        case .numbers(let numbers): return numbers.map(JSONValue.number)
        default: return nil
        }
    }

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        case (.numbers(let x), .numbers(let y)): return x == y
        case (.array, _), (.numbers, _): return a.items != nil && a.items == b.items
        default: return false
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// What a value is, for error messages: "a string", "an array", ...
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array, .numbers: return "an array"
        case .object: return "an object"
        }
    }
}

/// Writes JSON text into a byte buffer, with no intermediate tree (responses carry thousands
/// of numbers).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(hex[Int(unit >> 4)])
                bytes.append(hex[Int(unit & 15)])
            default: bytes.append(unit)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A finite float in the shortest text that reads back as the same `Float`.
    mutating func number(_ value: Float) {
        guard value.isFinite else { return raw("null") }
        raw(value.description)
    }

    mutating func number(_ value: Int) { raw(String(value)) }

    /// `"key":"value",`: a string member followed by a comma (the next member comes after).
    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
        raw(",")
    }

    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// `[a,b,...]` with `element` writing each item.
    mutating func array<C: Collection>(_ items: C, _ element: (inout JSONWriter, C.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
