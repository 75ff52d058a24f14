import Testing

@testable import Serving

@Suite(.timeLimit(.minutes(10))) struct JSONReaderTests {
    @Test func readsEveryKindOfValue() throws {
        let text = #" {"a": [1, -2.5, 3e2, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "o": {}} "#
        let value = try JSONReader.read(Array(text.utf8))
        #expect(value["a"] == .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]))
        #expect(value["s"] == .string("x\"\\/\né😀"))
        #expect(value["o"] == .object([:]))
    }

    @Test func wholeNumbersAndDecimalsReadAsSwiftReadsThem() throws {
        for text in ["0", "255", "-7", "123456789012345", "1234567890123456789", "0.1", "1e-7", "-0.0", "3.4028234e38"]
        {
            #expect(try JSONReader.read(Array(text.utf8)) == .number(Double(text)!), "\(text)")
        }
    }

    @Test(arguments: [
        ("", "byte 0: expected a value, found the end of the document"),
        ("{\"a\":1,}", "byte 7: expected a member name in double quotes"),
        ("[1 2]", "byte 3: expected ',' or ']' in an array"),
        ("{\"a\":1,\"a\":2}", "byte 7: member \"a\" appears twice"),
        ("\"abc", "byte 4: the string does not end"),
        ("01", "byte 1: expected the end of the document after its value"),
        ("1e999", "byte 0: the number 1e999 is out of range"),
        ("[-]", "byte 2: expected a digit"),
        ("nul", "byte 3: expected 'null'"),
        ("\"\\q\"", "byte 3: unknown escape '\\q'"),
        ("{} x", "byte 3: expected the end of the document"),
    ])
    func malformedDocumentsAreRefusedWithTheirPlace(text: String, message: String) {
        #expect {
            _ = try JSONReader.read(Array(text.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.read(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONReader.read(Array(fine.utf8))
        // A million-deep document is refused without exhausting the stack.
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.read(hostile) }
    }

    @Test func theWriterEscapesAndReadsBack() throws {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("t\"ab\u{1}")
        writer.array([Float(0.1), 1e-7, 3, .infinity]) { $0.number($1) }
        writer.raw("}")
        let value = try JSONReader.read(writer.bytes)
        #expect(value == .object(["t\"ab\u{1}": .array([.number(0.1), .number(1e-7), .number(3), .null])]))
        // Floats are written in the shortest text that reads back as the same Float.
        #expect(Float(0.1).description == "0.1")
    }
}
