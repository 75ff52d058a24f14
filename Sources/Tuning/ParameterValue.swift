import Foundation

/// A value a parameter can take: a number, a word or a flag, as written in the space file.
public enum ParameterValue: Codable, Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case flag(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let flag = try? c.decode(Bool.self) {
            self = .flag(flag)
        } else if let number = try? c.decode(Double.self) {
            self = .number(number)
        } else if let text = try? c.decode(String.self) {
            self = .text(text)
        } else {
            throw DecodingError.typeMismatch(
                ParameterValue.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a number, a string or true/false"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let t): try c.encode(t)
        case .flag(let f): try c.encode(f)
        }
    }

    public var number: Double? { if case .number(let n) = self { n } else { nil } }

    public var description: String {
        switch self {
        case .number(let n): n == n.rounded() && abs(n) < 1e9 ? String(Int(n)) : String(format: "%.4g", n)
        case .text(let t): t
        case .flag(let f): f ? "true" : "false"
        }
    }
}
