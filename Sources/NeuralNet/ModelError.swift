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
        case .invalidSpecification(let reason): return "invalid model: \(reason)"
        case .invalidOption(let name, let reason): return "\(name): \(reason)"
        case .diverged(let epoch, let step, let loss):
            return
                "training diverged at epoch \(epoch), step \(step): the loss became \(loss). Try a lower learning rate."
        case .shapeMismatch(let reason): return reason
        case .modelFile(let path, let reason): return "\(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
