/// Reads a JSON document (RFC 8259) from bytes, with the bounds a server needs: nesting at
/// most `maximumDepth` deep, and errors that say what was expected and at which byte.
struct JSONReader {
    struct Failure: Error, Equatable, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "malformed JSON at byte \(offset): \(reason)" }
    }

    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private var depth = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The one value that `bytes` holds (whitespace around it allowed).
    static func read(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        // Read in place where the bytes are contiguous (an array or a slice of one).
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Failure) -> JSONValue in try read(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        let array = Array(bytes)
        return try array.withUnsafeBytes { buffer in Result { () throws(Failure) in try read(buffer) } }.get()
    }

    private static func read(_ buffer: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var reader = JSONReader(buffer)
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        guard reader.offset == buffer.count else {
            throw reader.failure("expected the end of the document after its value")
        }
        return value
    }

    private func failure(_ reason: String) -> Failure { Failure(offset: offset, reason: reason) }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        guard let byte = current else { throw failure("expected a value, found the end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("expected a value, found '\(Self.printable(byte))'")
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(Failure) -> JSONValue {
        for unit in word.utf8 {
            guard current == unit else { throw failure("expected '\(word)'") }
            offset += 1
        }
        return value
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw failure("nested more than \(Self.maximumDepth) levels deep")
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try enter()
        offset += 1
        var members = [String: JSONValue]()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name in double quotes") }
            let keyOffset = offset
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':' after member name \"\(key)\"") }
            offset += 1
            skipWhitespace()
            let item = try value()
            guard members.updateValue(item, forKey: key) == nil else {
                throw Failure(offset: keyOffset, reason: "member \"\(key)\" appears twice")
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                depth -= 1
                return .object(members)
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try enter()
        offset += 1
        var items = [JSONValue]()
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return .array(items)
        }
        // Numbers only (a tensor's data) are read straight into a packed array.
        if let first = current, first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            var numbers = [Double]()
            while true {
                numbers.append(try number())
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { break }
                offset += 1
                skipWhitespace()
                guard let next = current,
                    next == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next)
                else {
                    // Something else follows: the rest is read item by item.
                    items = numbers.map(JSONValue.number)
                    break
                }
            }
            if items.isEmpty {
                guard current == UInt8(ascii: "]") else { throw failure("expected ',' or ']' in an array") }
                offset += 1
                depth -= 1
                return .numbers(numbers)
            }
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                depth -= 1
                return .array(items)
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func string() throws(Failure) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw failure("control character in a string (escape it)") }
            offset += 1
        }
        var units = [UInt8](bytes[start..<offset])
        while true {
            guard let byte = current else { throw failure("the string does not end (no closing '\"')") }
            if byte == UInt8(ascii: "\"") {
                offset += 1
                break
            }
            if byte == UInt8(ascii: "\\") {
                offset += 1
                guard let escape = current else { throw failure("the string ends inside an escape") }
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): units.append(0x22)
                case UInt8(ascii: "\\"): units.append(0x5C)
                case UInt8(ascii: "/"): units.append(0x2F)
                case UInt8(ascii: "b"): units.append(0x08)
                case UInt8(ascii: "f"): units.append(0x0C)
                case UInt8(ascii: "n"): units.append(0x0A)
                case UInt8(ascii: "r"): units.append(0x0D)
                case UInt8(ascii: "t"): units.append(0x09)
                case UInt8(ascii: "u"): units.append(contentsOf: try unicodeEscape())
                default: throw failure("unknown escape '\\\(Self.printable(escape))'")
                }
                continue
            }
            guard byte >= 0x20 else { throw failure("control character in a string (escape it)") }
            units.append(byte)
            offset += 1
        }
        guard let text = String(validating: units, as: UTF8.self) else {
            throw Failure(offset: start, reason: "the string is not valid UTF-8")
        }
        return text
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw failure("expected 4 hex digits after \\u") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("expected 4 hex digits after \\u")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private mutating func unicodeEscape() throws(Failure) -> [UInt8] {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u")
            else { throw failure("a high surrogate \\u escape without its low half") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("a surrogate pair with a bad low half") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw failure("a lone surrogate in a \\u escape") }
        return Array(String(Character(unicode)).utf8)
    }

    private mutating func number() throws(Failure) -> Double {
        // Fast path: a whole number of up to 15 digits (pixels, indices, shapes).
        let count = bytes.count
        var i = offset
        let negative = i < count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let firstDigit = i
        var whole: UInt64 = 0
        while i < count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            if digit > 9 { break }
            whole = whole &* 10 &+ UInt64(digit)
            i += 1
        }
        let digits = i - firstDigit
        if digits > 0, digits <= 15, !(digits > 1 && bytes[firstDigit] == UInt8(ascii: "0")) {
            let next = i < count ? bytes[i] : 0
            if next != UInt8(ascii: "."), next != UInt8(ascii: "e"), next != UInt8(ascii: "E") {
                offset = i
                return negative ? -Double(whole) : Double(whole)
            }
        }
        return try generalNumber()
    }

    private mutating func generalNumber() throws(Failure) -> Double {
        let start = offset
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw failure("expected a digit")
        }
        // Whole numbers of up to 15 digits (pixels, indices, shapes) are read directly.
        var whole: Int64 = 0
        var digits = 0
        if first == UInt8(ascii: "0") {
            offset += 1
        } else {
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                if digits < 15 { whole = whole * 10 + Int64(byte - UInt8(ascii: "0")) }
                digits += 1
                offset += 1
            }
        }
        var isWhole = digits <= 15
        if current == UInt8(ascii: ".") {
            isWhole = false
            offset += 1
            try requireDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isWhole = false
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            try requireDigits()
        }
        if isWhole { return negative ? -Double(whole) : Double(whole) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw Failure(offset: start, reason: "the number \(text) is out of range")
        }
        return value
    }

    private mutating func requireDigits() throws(Failure) {
        guard let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw failure("expected a digit")
        }
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { offset += 1 }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "byte 0x" + String(byte, radix: 16)
    }
}
