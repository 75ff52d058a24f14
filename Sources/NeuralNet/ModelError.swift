import Foundation

/// What can go wrong building, training, saving or loading a model. Each message says what
/// was expected and what was found.
public enum ModelError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case invalidSpecification(String)
    case invalidOption(name: String, reason: String)
    case diverged(epoch: Int, step: Int, loss: Float)
    case shapeMismatch(String)
    case modelFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSpecification(reason): return "invalid model: \(reason)"
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .diverged(epoch, step, loss):
            return "training diverged at epoch \(epoch), step \(step): the loss became \(loss). Try a lower learning rate."
        case let .shapeMismatch(reason): return reason
        case let .modelFile(path, reason): return "\(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
