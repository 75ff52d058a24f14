import Foundation

/// Why a study or evaluation cannot go on, naming the file or field.
public enum StudyError: Error, CustomStringConvertible, LocalizedError {
    case experimentFile(path: String, reason: String)
    case failed(String)
    /// A value given to the library that cannot work: the field's name and why.
    case invalidField(name: String, reason: String)

    public var description: String {
        switch self {
        case .experimentFile(let path, let reason): return "\(path): \(reason)"
        case .failed(let reason): return reason
        case .invalidField(let name, let reason): return "\(name): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
