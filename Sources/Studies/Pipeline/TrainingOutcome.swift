import ClassificationMetrics
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
    /// Loss and accuracy on the test set, when the plan asked for them (for multi-label data,
    /// subset accuracy at the model's thresholds, and the tags' mean average precision).
    public let test: (loss: Double, accuracy: Double, meanAveragePrecision: Double?)?
    /// A multi-label model's thresholds, chosen on the validation split (nil: single-label, or
    /// 0.5 each without validation).
    public var thresholds: [Float]? = nil
    /// A multi-label model's test-set metrics, when the plan asked for the test.
    public var testTagging: MultiLabelMetrics? = nil
}
