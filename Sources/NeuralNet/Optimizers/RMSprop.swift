import Foundation
import NumericCore

/// RMSprop, as Keras: `v = ρ v + (1 - ρ) g²`, increment `lr g / √(v + ε)`; with momentum
/// μ, `s = μ s + increment` and `θ -= s`, else `θ -= increment`.
public final class RMSprop: Optimizer {
    public var learningRate: Float
    public let rho: Float, momentum: Float, epsilon: Float
    private let store = SlotStore()

    public init(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var specification: OptimizerSpecification {
        OptimizerSpecification(
            kind: .rmsprop, learningRate: Double(learningRate), momentum: Double(momentum), epsilon: Double(epsilon),
            rho: Double(rho))
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate
        let r = rho
        let mu = momentum
        let eps = epsilon
        for parameter in parameters {
            let slots = store.slots(for: parameter, count: 2)
            let theta = parameter.value.pointer
            let g = parameter.gradient.pointer
            let v = slots[0].pointer
            let s = slots[1].pointer
            for i in 0..<parameter.value.count {
                v[i] = r * v[i] + (1 - r) * g[i] * g[i]
                let increment = lr * g[i] / (v[i] + eps).squareRoot()
                if mu > 0 {
                    s[i] = mu * s[i] + increment
                    theta[i] -= s[i]
                } else {
                    theta[i] -= increment
                }
            }
        }
    }
}
