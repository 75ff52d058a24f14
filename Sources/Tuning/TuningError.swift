import Foundation
import Studies

public enum TuningError: Error, CustomStringConvertible, LocalizedError {
    case file(path: String, reason: String)
    case space(String)
    case failed(String)

    public var description: String {
        switch self {
        case let .file(path, reason): "\(path): \(reason)"
        case let .space(reason), let .failed(reason): reason
        }
    }

    var reason: String {
        switch self {
        case let .file(_, reason), let .space(reason), let .failed(reason): reason
        }
    }

    public var errorDescription: String? { description }
}
