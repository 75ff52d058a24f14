import Foundation
import NumericCore

/// Softmax followed by categorical cross-entropy, fused: numerically stable (log-sum-exp
/// with the row maximum subtracted) and with the simple gradient (p - target) / batch.
///
/// Targets are the one-hot labels, optionally smoothed as Keras does: `target = (1 - s) *
/// onehot + s / classes`. The loss is the batch mean of `-Σ target * log p`.
public final class SoftmaxCrossEntropy: Loss {
    public let labelSmoothing: Float
    public let probabilities = Matrix(rows: 0, columns: 0)
    public let gradient = Matrix(rows: 0, columns: 0)

    public init(labelSmoothing: Float = 0) { self.labelSmoothing = labelSmoothing }

    public var kind: LossKind { .softmaxCrossEntropy }

    /// The loss and its gradient for one batch.
    public typealias Result = LossResult

    public func evaluate(logits: Matrix, targets: LossTargets, computeGradient: Bool) -> LossResult {
        evaluate(logits: logits, labels: targets.classes, computeGradient: computeGradient)
    }

    /// Computes the loss of `logits` (`[batch, classes]`) for `labels` (one per row) and, when
    /// `computeGradient`, dLoss/dLogits into `gradient`.
    public func evaluate(logits: Matrix, labels: UnsafeBufferPointer<Int32>, computeGradient: Bool = true) -> Result {
        let batch = logits.rows
        let classes = logits.columns
        probabilities.resize(rows: batch, columns: classes)
        if computeGradient { gradient.resize(rows: batch, columns: classes) }
        let off = labelSmoothing / Float(classes)
        let on = 1 - labelSmoothing + off
        var total: Double = 0
        var correct = 0
        let inverseBatch = 1 / Float(batch)
        for row in 0..<batch {
            let x = logits.pointer + row * classes
            let p = probabilities.pointer + row * classes
            var maximum = -Float.infinity
            var best = 0
            for j in 0..<classes where x[j] > maximum {
                maximum = x[j]
                best = j
            }
            var sum: Float = 0
            for j in 0..<classes {
                let e = expf(x[j] - maximum)
                p[j] = e
                sum += e
            }
            let logSum = logf(sum)
            let label = Int(labels[row])
            if best == label { correct += 1 }
            // -Σ t_j (x_j - max - logSum)
            var rowLoss: Float = 0
            if labelSmoothing == 0 {
                rowLoss = -(x[label] - maximum - logSum)
            } else {
                for j in 0..<classes { rowLoss -= (j == label ? on : off) * (x[j] - maximum - logSum) }
            }
            total += Double(rowLoss)
            let inverseSum = 1 / sum
            for j in 0..<classes { p[j] *= inverseSum }
            if computeGradient {
                let g = gradient.pointer + row * classes
                for j in 0..<classes {
                    let target = labelSmoothing == 0 ? (j == label ? 1 : 0) : (j == label ? on : off)
                    g[j] = (p[j] - target) * inverseBatch
                }
            }
        }
        return Result(loss: Float(total / Double(batch)), correct: correct)
    }
}
