import Foundation

public enum StudyError: Error, CustomStringConvertible, LocalizedError {
    case experimentFile(path: String, reason: String)
    case failed(String)
    /// A value given to the library that cannot work: the field's name and why.
    case invalidField(name: String, reason: String)

    public var description: String {
        switch self {
        case let .experimentFile(path, reason): return "\(path): \(reason)"
        case let .failed(reason): return reason
        case let .invalidField(name, reason): return "\(name): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
