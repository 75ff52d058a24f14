/// A V2 inference request (`POST /v2/models/{m}[/versions/{v}]/infer`), read from its JSON
/// and, with the binary tensor extension, the raw tensors that follow the JSON
/// (`Inference-Header-Content-Length` says where the JSON ends; each input's
/// `binary_data_size` says how many of the following bytes are its own, in input order).
struct InferenceRequest: Sendable {
    enum Contents: Sendable, Equatable {
        /// `data` from the JSON, flattened row-major.
        case numbers([Double])
        /// BYTES elements, from the JSON (as UTF-8 strings) or from the binary part.
        case elements([[UInt8]])
        /// A tensor's raw little-endian bytes from the binary part.
        case raw([UInt8])
    }

    struct Input: Sendable {
        let name: String
        let datatype: String
        let shape: [Int]
        let contents: Contents

        var elementCount: Int { shape.reduce(1, *) }
    }

    struct RequestedOutput: Sendable {
        let name: String
        let binary: Bool?
    }

    let id: String?
    let inputs: [Input]
    /// nil: every output.
    let outputs: [RequestedOutput]?
    /// `binary_data_output`: outputs in binary unless an output says otherwise.
    let binaryOutputs: Bool
    /// `top_k`: how many classes `top_classes` and `top_indices` give for each image.
    let topK: Int?
    /// The request's parameters as given (explain reads `method` and `class` from them).
    let parameters: [String: JSONValue]

    /// The largest count of elements a tensor's shape may claim, before any data is read
    /// (the body limit bounds the data; this bounds what the shape makes the server reserve).
    static let maximumElements = 1 << 28

    /// - Parameters:
    ///   - body: the whole request body.
    ///   - headerLength: `Inference-Header-Content-Length`, if the request has it.
    init(body: [UInt8], headerLength: Int?) throws(ServingError) {
        let jsonLength = headerLength ?? body.count
        guard jsonLength >= 0, jsonLength <= body.count else {
            throw .badRequest(
                "Inference-Header-Content-Length: expected at most the body's \(body.count) bytes, found \(jsonLength)")
        }
        let document: JSONValue
        do { document = try JSONReader.read(body[0..<jsonLength]) } catch {
            throw .badRequest("request body: \(error)")
        }
        guard case .object(let members) = document else {
            throw .badRequest("request body: expected a JSON object, found \(document.kindName)")
        }
        id = try Self.optionalString(members["id"], field: "id")
        let parameters = try Self.parameters(members["parameters"], field: "parameters")
        self.parameters = parameters
        binaryOutputs = try Self.bool(parameters["binary_data_output"], field: "parameters.binary_data_output") ?? false
        topK = try parameters["top_k"].map { value throws(ServingError) in
            guard case .number(let k) = value, k == k.rounded(), k >= 1, k <= 1_000_000 else {
                throw .badRequest("parameters.top_k: expected a whole number of at least 1, found \(value.kindName)")
            }
            return Int(k)
        }
        guard let inputList = members["inputs"]?.items else {
            throw .badRequest(
                "inputs: expected an array of input tensors, found \(members["inputs"]?.kindName ?? "none")")
        }
        var binary = BinaryTail(body: body, start: jsonLength)
        var inputs = [Input]()
        for (index, item) in inputList.enumerated() {
            inputs.append(try Self.input(item, field: "inputs[\(index)]", binary: &binary))
        }
        self.inputs = inputs
        guard binary.remaining == 0 else {
            throw .badRequest(
                "request body: \(binary.remaining) bytes after the tensors that binary_data_size accounts for")
        }
        if let list = members["outputs"] {
            guard let items = list.items else {
                throw .badRequest("outputs: expected an array, found \(list.kindName)")
            }
            outputs = try items.enumerated().map { index, item throws(ServingError) in
                let field = "outputs[\(index)]"
                guard case .object(let output) = item else {
                    throw .badRequest("\(field): expected an object, found \(item.kindName)")
                }
                guard case .string(let name)? = output["name"] else {
                    throw .badRequest("\(field).name: expected a string")
                }
                let parameters = try Self.parameters(output["parameters"], field: "\(field).parameters")
                return RequestedOutput(
                    name: name,
                    binary: try Self.bool(parameters["binary_data"], field: "\(field).parameters.binary_data"))
            }
        } else {
            outputs = nil
        }
    }

    private static func input(_ item: JSONValue, field: String, binary: inout BinaryTail) throws(ServingError) -> Input
    {
        guard case .object(let members) = item else {
            throw .badRequest("\(field): expected an input tensor object, found \(item.kindName)")
        }
        guard case .string(let name)? = members["name"] else { throw .badRequest("\(field).name: expected a string") }
        let place = "input '\(name)'"
        guard case .string(let datatype)? = members["datatype"] else {
            throw .badRequest("\(place): datatype: expected a string such as \"UINT8\"")
        }
        guard let dims = members["shape"]?.items, !dims.isEmpty else {
            throw .badRequest("\(place): shape: expected an array of sizes such as [1, 28, 28, 1]")
        }
        var shape = [Int]()
        var elements = 1
        for dim in dims {
            guard case .number(let size) = dim, size == size.rounded(), size >= 0, size <= Double(maximumElements)
            else { throw .badRequest("\(place): shape: expected sizes of 0 or more, found \(describe(dims))") }
            shape.append(Int(size))
            elements = elements.multipliedReportingOverflow(by: Int(size)).partialValue
            guard elements <= maximumElements else {
                throw .badRequest("\(place): shape \(describe(dims)) holds more than \(maximumElements) elements")
            }
        }
        let parameters = try parameters(members["parameters"], field: "\(place).parameters")
        if let sizeValue = parameters["binary_data_size"] {
            guard case .number(let size) = sizeValue, size == size.rounded(), size >= 0 else {
                throw .badRequest("\(place): parameters.binary_data_size: expected a byte count")
            }
            guard members["data"] == nil else {
                throw .badRequest("\(place): has both data and binary_data_size; give one")
            }
            guard let bytes = binary.take(Int(min(size, Double(Int.max / 2)))) else {
                throw .badRequest(
                    "\(place): binary_data_size is \(Int(size)) but only \(binary.remaining) bytes follow the JSON")
            }
            if datatype == "BYTES" {
                return Input(
                    name: name, datatype: datatype, shape: shape,
                    contents: .elements(try splitElements(bytes, count: elements, place: place)))
            }
            return Input(name: name, datatype: datatype, shape: shape, contents: .raw(bytes))
        }
        guard let data = members["data"] else { throw .badRequest("\(place): data: missing") }
        if datatype == "BYTES" {
            var strings = [[UInt8]]()
            try flattenStrings(data, into: &strings, place: place)
            guard strings.count == elements else {
                throw .badRequest("\(place): shape \(shape) holds \(elements) elements; data has \(strings.count)")
            }
            return Input(name: name, datatype: datatype, shape: shape, contents: .elements(strings))
        }
        var numbers = [Double]()
        if case .numbers(let flat) = data, flat.count <= elements {
            numbers = flat  // flat data: the parsed array itself, not a copy
        } else {
            try flattenNumbers(data, into: &numbers, limit: elements, place: place)
        }
        guard numbers.count == elements else {
            throw .badRequest("\(place): shape \(shape) holds \(elements) elements; data has \(numbers.count)")
        }
        return Input(name: name, datatype: datatype, shape: shape, contents: .numbers(numbers))
    }

    /// `data` flat or nested (the V2 protocol allows both), row-major.
    private static func flattenNumbers(
        _ value: JSONValue, into numbers: inout [Double], limit: Int, place: String
    ) throws(ServingError) {
        switch value {
        case .number(let number):
            guard numbers.count < limit else {
                throw .badRequest("\(place): data has more elements than its shape holds (\(limit))")
            }
            numbers.append(number)
        case .numbers(let items):
            guard items.count <= limit - numbers.count else {
                throw .badRequest("\(place): data has more elements than its shape holds (\(limit))")
            }
            numbers.append(contentsOf: items)
        case .bool(let flag): numbers.append(flag ? 1 : 0)
        case .array(let items):
            for item in items { try flattenNumbers(item, into: &numbers, limit: limit, place: place) }
        default:
            throw .badRequest("\(place): data: expected numbers (flat or nested arrays), found \(value.kindName)")
        }
    }

    private static func flattenStrings(_ value: JSONValue, into strings: inout [[UInt8]], place: String)
        throws(ServingError)
    {
        switch value {
        case .string(let text): strings.append(Array(text.utf8))
        case .array(let items): for item in items { try flattenStrings(item, into: &strings, place: place) }
        default:
            throw .badRequest(
                "\(place): data: expected strings for BYTES, found \(value.kindName) (photos go in the binary part)")
        }
    }

    /// BYTES elements in the binary part: each a 4-byte little-endian length, then its bytes.
    private static func splitElements(_ bytes: [UInt8], count: Int, place: String) throws(ServingError) -> [[UInt8]] {
        var elements = [[UInt8]]()
        var offset = 0
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else {
                throw .badRequest("\(place): a BYTES element's 4-byte length is cut off at byte \(offset)")
            }
            let length =
                Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16
                | Int(bytes[offset + 3]) << 24
            offset += 4
            guard length <= bytes.count - offset else {
                throw .badRequest(
                    "\(place): BYTES element \(elements.count) claims \(length) bytes; \(bytes.count - offset) remain")
            }
            elements.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        guard elements.count == count else {
            throw .badRequest(
                "\(place): the shape holds \(count) BYTES elements; the binary data has \(elements.count)")
        }
        return elements
    }

    private static func parameters(_ value: JSONValue?, field: String) throws(ServingError) -> [String: JSONValue] {
        guard let value else { return [:] }
        guard case .object(let members) = value else {
            throw .badRequest("\(field): expected an object, found \(value.kindName)")
        }
        return members
    }

    private static func bool(_ value: JSONValue?, field: String) throws(ServingError) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            throw .badRequest("\(field): expected true or false, found \(value.kindName)")
        }
        return flag
    }

    private static func optionalString(_ value: JSONValue?, field: String) throws(ServingError) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            throw .badRequest("\(field): expected a string, found \(value.kindName)")
        }
        return text
    }

    private static func describe(_ dims: [JSONValue]) -> String {
        "["
            + dims.map { if case .number(let n) = $0 { return n.description } else { return $0.kindName } }.joined(
                separator: ", ") + "]"
    }
}

/// The bytes after a request's JSON, taken tensor by tensor.
private struct BinaryTail {
    let body: [UInt8]
    var offset: Int

    init(body: [UInt8], start: Int) {
        self.body = body
        offset = start
    }

    var remaining: Int { body.count - offset }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count <= remaining else { return nil }
        defer { offset += count }
        return Array(body[offset..<(offset + count)])
    }
}
