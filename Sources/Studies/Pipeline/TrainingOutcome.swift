import Foundation
import NeuralNet
import RunStore

/// What a training run produced.
public struct TrainingOutcome {
    public let model: Sequential
    public let history: History
    /// The options the model trained with (the plan's, with its seed).
    public let options: TrainingOptions
    public let modelFile: URL?
    public let historyFile: URL?
    /// The run's id in the store, when it was recorded.
    public let runID: Int64?
    /// Loss and accuracy on the test set, when the plan asked for them.
    public let test: (loss: Double, accuracy: Double)?
}
