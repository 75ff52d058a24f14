import Foundation
import NumericCore

/// Adam (Kingma and Ba), as Keras computes it: with t the step count,
/// `α = lr · √(1 - β2^t) / (1 - β1^t)`, `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)`,
/// `θ -= α m / (√v + ε)`. With a weight decay w it is AdamW: first `θ -= θ · w · lr`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var iterations = 0
    private let store = SlotStore()

    public init(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
        weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var specification: OptimizerSpecification {
        OptimizerSpecification(
            kind: weightDecay > 0 ? .adamw : .adam, learningRate: Double(learningRate), beta1: Double(beta1),
            beta2: Double(beta2), epsilon: Double(epsilon), weightDecay: weightDecay > 0 ? Double(weightDecay) : nil)
    }

    public func step(_ parameters: [Parameter]) {
        iterations += 1
        let t = Double(iterations)
        let alpha = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let b1 = beta1
        let b2 = beta2
        let eps = epsilon
        let decay = weightDecay * learningRate
        for parameter in parameters {
            let slots = store.slots(for: parameter, count: 2)
            let theta = parameter.value.pointer
            let g = parameter.gradient.pointer
            let m = slots[0].pointer
            let v = slots[1].pointer
            let parameterDecay = decay > 0 && parameter.decays ? decay : 0
            // Elementwise, so any split gives the same numbers.
            Compute.runner.forEachRange(count: parameter.value.count, alignment: 64, minimumPerPart: 8192) { r in
                Kernels.adamUpdate(
                    theta: theta + r.lowerBound, gradient: g + r.lowerBound, m: m + r.lowerBound, v: v + r.lowerBound,
                    count: r.count, alpha: alpha, beta1: b1, beta2: b2, epsilon: eps, decay: parameterDecay)
            }
        }
    }
}
