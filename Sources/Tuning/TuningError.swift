import Foundation
import Studies

/// Why a search cannot go on, naming the parameter, file or store.
public enum TuningError: Error, CustomStringConvertible, LocalizedError {
    case file(path: String, reason: String)
    case space(String)
    case failed(String)

    public var description: String {
        switch self {
        case .file(let path, let reason): "\(path): \(reason)"
        case .space(let reason), .failed(let reason): reason
        }
    }

    var reason: String {
        switch self {
        case .file(_, let reason), .space(let reason), .failed(let reason): reason
        }
    }

    public var errorDescription: String? { description }
}
