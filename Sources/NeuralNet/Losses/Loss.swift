import NumericCore

/// A training loss computed on the logits, fused with the model's final activation (softmax
/// for cross-entropy; sigmoid for the binary cross-entropy of multi-label tagging, later): the
/// fused form is stable and has a simple gradient, so training runs the model without its last
/// layer and hands the logits here.
///
/// - Logits: `[batch, outputs]`. Targets: one class index per row (`LossTargets`).
public protocol Loss: AnyObject {
    /// What the loss is called in options and files ("softmax_cross_entropy").
    var kind: LossKind { get }
    /// dLoss/dLogits of the last `evaluate` with `computeGradient`, `[batch, outputs]`.
    var gradient: Matrix { get }
    /// The batch-mean loss of `logits` for `targets`, and how many rows the model got right;
    /// with `computeGradient`, dLoss/dLogits into `gradient`.
    func evaluate(logits: Matrix, targets: LossTargets, computeGradient: Bool) -> LossResult
}

/// What a loss is judged against: a class index for every row of the batch, and for
/// multi-label tagging the rows' tags (`[batch, tags]`, 0 or 1).
public struct LossTargets {
    public let classes: UnsafeBufferPointer<Int32>
    public let tags: UnsafeBufferPointer<Float>?

    public init(classes: UnsafeBufferPointer<Int32>, tags: UnsafeBufferPointer<Float>? = nil) {
        self.classes = classes
        self.tags = tags
    }
}

/// A batch's mean loss and the gradient with respect to the logits.
public struct LossResult: Sendable {
    /// Mean loss over the batch.
    public let loss: Float
    /// How many rows were right (for a classifier: the largest logit at the true class); the
    /// epoch's `accuracy` is their share.
    public let correct: Int

    public init(loss: Float, correct: Int) {
        self.loss = loss
        self.correct = correct
    }
}

/// The losses there are, by the name options and files use.
public enum LossKind: String, Codable, Sendable, CaseIterable {
    case softmaxCrossEntropy = "softmax_cross_entropy"
    /// Multi-label tagging (or single-label classes one-vs-rest).
    case sigmoidBinaryCrossEntropy = "sigmoid_binary_cross_entropy"

    /// The final layer the loss is fused with: training leaves it out and feeds its input here.
    public var fusedActivation: LayerSpecification.Kind {
        switch self {
        case .softmaxCrossEntropy: return .softmax
        case .sigmoidBinaryCrossEntropy: return .sigmoid
        }
    }

    /// The metrics each epoch records for this loss, on the training data; with validation data
    /// each also as `val_<name>`.
    public var metricNames: [String] {
        switch self {
        case .softmaxCrossEntropy, .sigmoidBinaryCrossEntropy:
            return [EpochRecord.Name.loss, EpochRecord.Name.accuracy]
        }
    }

    /// Metrics recorded only on validation data (multi-label data's mean average precision).
    public var validationOnlyMetricNames: [String] {
        switch self {
        case .softmaxCrossEntropy: return []
        case .sigmoidBinaryCrossEntropy: return [EpochRecord.Name.validationMeanAveragePrecision]
        }
    }

    /// The loss of this kind.
    /// - Parameters:
    ///   - labelSmoothing: the share of each target spread over the other classes (or tags).
    ///   - positiveWeights: binary cross-entropy's, one a tag (ignored by softmax).
    public func makeLoss(labelSmoothing: Double, positiveWeights: [Double]? = nil) -> any Loss {
        switch self {
        case .softmaxCrossEntropy: return SoftmaxCrossEntropy(labelSmoothing: Float(labelSmoothing))
        case .sigmoidBinaryCrossEntropy:
            return SigmoidBinaryCrossEntropy(
                labelSmoothing: Float(labelSmoothing), positiveWeights: positiveWeights?.map { Float($0) })
        }
    }
}
