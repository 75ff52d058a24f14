import Foundation
import NumericCore

/// Sigmoid followed by binary cross-entropy, fused, for multi-label tagging: each output is
/// one tag's logit, each target 0 or 1. As PyTorch's `BCEWithLogitsLoss` (reduction "mean",
/// `pos_weight`): with w the tag's positive weight,
///
///     loss = mean over batch and tags of (1 − y)·x + (1 + (w − 1)·y)·softplus(−x)
///
/// (= −[w·y·log σ(x) + (1 − y)·log(1 − σ(x))], stable for any x), and
/// dLoss/dx = ((1 + (w − 1)·y)·σ(x) − w·y) / (batch · tags).
///
/// Label smoothing takes targets to `y·(1 − s) + s / 2`. A row is "correct" when every tag's
/// prediction (logit ≥ 0, probability ≥ 0.5) matches its target (subset accuracy).
///
/// - Logits: `[batch, tags]`. Targets: `tags` (`[batch, tags]`, 0 or 1), or for single-label
///   data `classes`, taken as one-hot rows.
public final class SigmoidBinaryCrossEntropy: Loss {
    public let labelSmoothing: Float
    /// One a tag (negatives over positives in the training data, as PyTorch takes it); nil: 1.
    public let positiveWeights: [Float]?
    public let gradient = Matrix(rows: 0, columns: 0)

    public init(labelSmoothing: Float = 0, positiveWeights: [Float]? = nil) {
        self.labelSmoothing = labelSmoothing
        self.positiveWeights = positiveWeights
    }

    public var kind: LossKind { .sigmoidBinaryCrossEntropy }

    public func evaluate(logits: Matrix, targets: LossTargets, computeGradient: Bool) -> LossResult {
        let batch = logits.rows
        let tags = logits.columns
        if computeGradient { gradient.resize(rows: batch, columns: tags) }
        let scale = 1 / Float(max(1, batch * tags))
        var total = 0.0
        var correct = 0
        for row in 0..<batch {
            let x = logits.pointer + row * tags
            var rowCorrect = true
            for j in 0..<tags {
                let truth: Float
                if let multiHot = targets.tags {
                    truth = multiHot[row * tags + j]
                } else {
                    truth = Int(targets.classes[row]) == j ? 1 : 0
                }
                let y = truth * (1 - labelSmoothing) + labelSmoothing / 2
                let w = positiveWeights.map { j < $0.count ? $0[j] : 1 } ?? 1
                let logWeight = 1 + (w - 1) * y
                let v = x[j]
                // softplus(−v) = log(1 + e^(−v)) = max(−v, 0) + log1p(e^(−|v|))
                let softplus = max(-v, 0) + log1pf(expf(-abs(v)))
                total += Double((1 - y) * v + logWeight * softplus)
                if (v >= 0) != (truth >= 0.5) { rowCorrect = false }
                if computeGradient {
                    let sigmoid = 1 / (1 + expf(-v))
                    gradient.pointer[row * tags + j] = (logWeight * sigmoid - w * y) * scale
                }
            }
            if rowCorrect { correct += 1 }
        }
        return LossResult(loss: Float(total) * scale, correct: correct)
    }
}
