import Foundation
import NumericCore

/// An optimizer as data, with Keras's names and defaults.
public struct OptimizerSpecification: Codable, Equatable, Sendable {
    /// The optimizers a training run can name (Keras's update rules).
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

    public init(
        kind: Kind, learningRate: Double? = nil, momentum: Double? = nil, nesterov: Bool? = nil,
        beta1: Double? = nil, beta2: Double? = nil, epsilon: Double? = nil, weightDecay: Double? = nil,
        rho: Double? = nil
    ) {
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
            throw .invalidOption(
                name: "optimizer.learningRate", reason: "expected a positive number, found \(learningRate)")
        }
        let lr = Float(learningRate)
        let eps = Float(epsilon ?? 1e-7)
        switch kind {
        case .sgd: return SGD(learningRate: lr, momentum: Float(momentum ?? 0), nesterov: nesterov ?? false)
        case .adam:
            return Adam(learningRate: lr, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999), epsilon: eps)
        case .adamw:
            return Adam(
                learningRate: lr, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999), epsilon: eps,
                weightDecay: Float(weightDecay ?? 0.004))
        case .rmsprop:
            return RMSprop(learningRate: lr, rho: Float(rho ?? 0.9), momentum: Float(momentum ?? 0), epsilon: eps)
        }
    }
}
