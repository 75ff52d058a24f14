import NeuralNet
import NumericCore

/// Central-difference gradient checks for layers. The loss is `Σ weights ⊙ output` for fixed
/// random weights, so dLoss/dOutput = weights; its sums are taken in Double, with a step
/// of 1e-2 (Float precision limits smaller steps). A check passes when every analytic
/// derivative is within `tolerance` of the numeric one, relative to max(1, |numeric|).
public enum GradientCheck {
    /// The largest disagreement between the analytic and numerical gradients, and where.
    public struct Outcome: Sendable {
        public let worstError: Double
        public let worstName: String
        public func passes(tolerance: Double) -> Bool { worstError <= tolerance }
    }

    /// Checks dLoss/dInput and dLoss/dParameter for `layer` (already built) on `input`.
    public static func check(
        _ layer: any Layer, input: Matrix, training: Bool = true, seed: UInt64 = 1, step: Float = 1e-2
    ) -> Outcome {
        var generator = SeededGenerator(seed: seed)
        let output = layer.forward(input, training: training)
        let weights = Matrix(rows: output.rows, columns: output.columns)
        for i in 0..<weights.count { weights.pointer[i] = generator.nextFloat(in: -1, 1) }

        func loss() -> Double {
            let out = layer.forward(input, training: training)
            var sum = 0.0
            for i in 0..<out.count { sum += Double(out.pointer[i]) * Double(weights.pointer[i]) }
            return sum
        }
        _ = layer.forward(input, training: training)
        let inputGradient = layer.backward(weights, needsInputGradient: true).map { Array($0.buffer) } ?? []
        let parameterGradients = layer.parameters.map { $0.gradient.values }

        var worst = 0.0
        var worstName = "none"
        func compare(_ analytic: Float, _ target: UnsafeMutablePointer<Float>, _ name: String) {
            let saved = target.pointee
            target.pointee = saved + step
            let up = loss()
            target.pointee = saved - step
            let down = loss()
            target.pointee = saved
            let numeric = (up - down) / (2 * Double(step))
            let error = abs(numeric - Double(analytic)) / max(1, abs(numeric))
            if error > worst {
                worst = error
                worstName = name
            }
        }
        for i in 0..<min(input.count, inputGradient.count) {
            compare(inputGradient[i], input.pointer + i, "input[\(i)]")
        }
        for (p, parameter) in layer.parameters.enumerated() {
            for i in 0..<parameter.value.count {
                compare(parameterGradients[p][i], parameter.value.pointer + i, "\(parameter.name)[\(i)]")
            }
        }
        return Outcome(worstError: worst, worstName: worstName)
    }

    /// A random `[rows, columns]` matrix with entries in [-2, 2], kept away from 0 (where ReLU
    /// and its kin have a kink the central difference would straddle).
    public static func randomInput(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        let m = Matrix(rows: rows, columns: columns)
        for i in 0..<m.count {
            var v = generator.nextFloat(in: -2, 2)
            if abs(v) < 0.1 { v += v < 0 ? -0.2 : 0.2 }
            m.pointer[i] = v
        }
        return m
    }
}
