import Foundation
import NumericCore

/// Stochastic gradient descent, as Keras: with momentum m, `v = m v - lr g`, then
/// `θ += v` (or, Nesterov, `θ += m v - lr g`); without, `θ -= lr g`.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    private let store = SlotStore()

    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var specification: OptimizerSpecification {
        OptimizerSpecification(
            kind: .sgd, learningRate: Double(learningRate), momentum: Double(momentum), nesterov: nesterov)
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate
        let m = momentum
        for parameter in parameters {
            let theta = parameter.value.pointer
            let g = parameter.gradient.pointer
            let n = parameter.value.count
            if m == 0 {
                for i in 0..<n { theta[i] -= lr * g[i] }
                continue
            }
            let v = store.slots(for: parameter, count: 1)[0].pointer
            for i in 0..<n {
                v[i] = m * v[i] - lr * g[i]
                theta[i] += nesterov ? m * v[i] - lr * g[i] : v[i]
            }
        }
    }
}
