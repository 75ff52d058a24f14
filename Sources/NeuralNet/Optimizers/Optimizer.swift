import Foundation
import NumericCore
import _Kernels

/// Updates parameters from their gradients, one step at a time. The learning rate is set
/// before every step (by the schedule); the optimizer keeps its own per-parameter state.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// One update of every parameter from its current gradient.
    func step(_ parameters: [Parameter])
    var specification: OptimizerSpecification { get }
}

/// An optimizer as data, with Keras's names and defaults.
public struct OptimizerSpecification: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam, adamw, rmsprop }

    public var kind: Kind
    public var learningRate: Double
    /// SGD and RMSprop: momentum (default 0).
    public var momentum: Double?
    /// SGD: Nesterov momentum.
    public var nesterov: Bool?
    /// Adam and AdamW: the moment decay rates (0.9, 0.999).
    public var beta1: Double?
    public var beta2: Double?
    /// Added to denominators (1e-7).
    public var epsilon: Double?
    /// AdamW: decoupled weight decay (0.004).
    public var weightDecay: Double?
    /// RMSprop: the decay of the squared-gradient average (0.9).
    public var rho: Double?

    public init(kind: Kind, learningRate: Double? = nil, momentum: Double? = nil, nesterov: Bool? = nil,
                beta1: Double? = nil, beta2: Double? = nil, epsilon: Double? = nil, weightDecay: Double? = nil, rho: Double? = nil) {
        self.kind = kind
        self.learningRate = learningRate ?? (kind == .sgd ? 0.01 : 0.001)
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.rho = rho
    }

    public func makeOptimizer() throws(ModelError) -> any Optimizer {
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidOption(name: "optimizer.learningRate", reason: "expected a positive number, found \(learningRate)")
        }
        let lr = Float(learningRate), eps = Float(epsilon ?? 1e-7)
        switch kind {
        case .sgd: return SGD(learningRate: lr, momentum: Float(momentum ?? 0), nesterov: nesterov ?? false)
        case .adam: return Adam(learningRate: lr, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999), epsilon: eps)
        case .adamw:
            return Adam(learningRate: lr, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999), epsilon: eps, weightDecay: Float(weightDecay ?? 0.004))
        case .rmsprop: return RMSprop(learningRate: lr, rho: Float(rho ?? 0.9), momentum: Float(momentum ?? 0), epsilon: eps)
        }
    }
}

/// Per-parameter buffers an optimizer keeps (moments, velocities), created on first use.
final class SlotStore {
    private var slots = [ObjectIdentifier: [Matrix]]()

    func slots(for parameter: Parameter, count: Int) -> [Matrix] {
        if let existing = slots[ObjectIdentifier(parameter)] { return existing }
        let created = (0..<count).map { _ in Matrix(rows: parameter.value.rows, columns: parameter.value.columns) }
        slots[ObjectIdentifier(parameter)] = created
        return created
    }
}

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
        OptimizerSpecification(kind: .sgd, learningRate: Double(learningRate), momentum: Double(momentum), nesterov: nesterov)
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate, m = momentum
        for parameter in parameters {
            let theta = parameter.value.pointer, g = parameter.gradient.pointer, n = parameter.value.count
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

/// Adam (Kingma and Ba), as Keras computes it: with t the step count,
/// `α = lr · √(1 - β2^t) / (1 - β1^t)`, `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)`,
/// `θ -= α m / (√v + ε)`. With a weight decay w it is AdamW: first `θ -= θ · w · lr`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var iterations = 0
    private let store = SlotStore()

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var specification: OptimizerSpecification {
        OptimizerSpecification(kind: weightDecay > 0 ? .adamw : .adam, learningRate: Double(learningRate), beta1: Double(beta1),
                               beta2: Double(beta2), epsilon: Double(epsilon), weightDecay: weightDecay > 0 ? Double(weightDecay) : nil)
    }

    public func step(_ parameters: [Parameter]) {
        iterations += 1
        let t = Double(iterations)
        let alpha = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let b1 = beta1, b2 = beta2, eps = epsilon
        let decay = weightDecay * learningRate
        for parameter in parameters {
            let slots = store.slots(for: parameter, count: 2)
            let theta = parameter.value.pointer, g = parameter.gradient.pointer, m = slots[0].pointer, v = slots[1].pointer
            let parameterDecay = decay > 0 && parameter.decays ? decay : 0
            // Elementwise, so any split gives the same numbers.
            Compute.runner.forEachRange(count: parameter.value.count, alignment: 64, minimumPerPart: 8192) { r in
                fashion_adam_update(theta + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound,
                                    r.count, alpha, b1, b2, eps, parameterDecay)
            }
        }
    }
}

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
        OptimizerSpecification(kind: .rmsprop, learningRate: Double(learningRate), momentum: Double(momentum), epsilon: Double(epsilon), rho: Double(rho))
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate, r = rho, mu = momentum, eps = epsilon
        for parameter in parameters {
            let slots = store.slots(for: parameter, count: 2)
            let theta = parameter.value.pointer, g = parameter.gradient.pointer
            let v = slots[0].pointer, s = slots[1].pointer
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
