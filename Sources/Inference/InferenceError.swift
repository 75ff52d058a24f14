import FashionData
import Foundation
import NeuralNet
import NumericCore
import Synchronization

/// A request the classifier cannot answer: the field and what was wrong with it.
public enum InferenceError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case badInput(field: String, reason: String)

    public var description: String {
        switch self {
        case .badInput(let field, let reason): return "\(field): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
