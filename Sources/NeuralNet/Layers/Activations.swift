import Foundation
import NumericCore

/// An elementwise function and its derivative, written in terms of the input `x` and the
/// output `y = value(x)` (whichever is cheaper).
public protocol ActivationFunction: Sendable {
    var kind: LayerSpecification.Kind { get }
    var alpha: Double? { get }
    func value(_ x: Float) -> Float
    func derivative(x: Float, y: Float) -> Float
    /// The whole-buffer loops; the defaults below are specialised per conforming type.
    func applyForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int)
    func applyBackward(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        _ d: UnsafeMutablePointer<Float>, _ count: Int)
}

extension ActivationFunction {
    public var alpha: Double? { nil }
}

/// An elementwise activation layer: `output[i] = f(input[i])`.
///
/// - Input and output: `[batch, features]` or images, the same shape. No parameters.
///
/// The loops are written out per function (`apply`) so that each is compiled for its
/// concrete function: through the `any Layer` existential a generic loop would call the
/// function through a witness table for every element.
public final class Activation<Function: ActivationFunction>: Layer {
    public let function: Function
    private var input: Matrix?
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init(_ function: Function) { self.function = function }

    public var specification: LayerSpecification { LayerSpecification(kind: function.kind, alpha: function.alpha) }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] { inputShape }

    public func sharingWeights() -> any Layer { Activation(function) }

    /// Large buffers (convolution outputs) are split across the compute threads; each element
    /// is computed alone, so the result does not depend on the split.
    static var partSize: Int { 1 << 15 }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        self.input = input
        output.resize(rows: input.rows, columns: input.columns)
        let x = input.pointer
        let y = output.pointer
        let function = function
        Compute.runner.forEachRange(count: input.count, minimumPerPart: Self.partSize) { range in
            function.applyForward(x + range.lowerBound, y + range.lowerBound, range.count)
        }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient, let input else { return nil }
        inputGradient.resize(rows: input.rows, columns: input.columns)
        let x = input.pointer
        let y = output.pointer
        let g = outputGradient.pointer
        let d = inputGradient.pointer
        let function = function
        Compute.runner.forEachRange(count: input.count, minimumPerPart: Self.partSize) { range in
            let i = range.lowerBound
            function.applyBackward(x + i, y + i, g + i, d + i, range.count)
        }
        return inputGradient
    }
}

extension ActivationFunction {
    /// y[i] = f(x[i]); a protocol requirement's default, so every conforming type gets its
    /// own specialised copy.
    @inline(__always)
    public func forwardLoop(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { y[i] = value(x[i]) }
    }

    @inline(__always)
    public func backwardLoop(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        _ d: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        for i in 0..<count { d[i] = g[i] * derivative(x: x[i], y: y[i]) }
    }

    public func applyForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        forwardLoop(x, y, count)
    }

    public func applyBackward(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
        _ d: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        backwardLoop(x, y, g, d, count)
    }
}

/// max(0, x); derivative 1 for x > 0, else 0.
public struct ReLUFunction: ActivationFunction {
    public var kind: LayerSpecification.Kind { .relu }
    public init() {}
    @inline(__always) public func value(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : 0 }
}

/// x for x > 0, else alpha * x (Keras's default alpha 0.3).
public struct LeakyReLUFunction: ActivationFunction {
    public let slope: Float
    public var kind: LayerSpecification.Kind { .leakyReLU }
    public var alpha: Double? { slope.shortestDouble }
    public init(alpha: Float = 0.3) { slope = alpha }
    @inline(__always) public func value(_ x: Float) -> Float { x > 0 ? x : slope * x }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : slope }
}

/// x for x > 0, else alpha * (exp(x) - 1).
public struct ELUFunction: ActivationFunction {
    public let scale: Float
    public var kind: LayerSpecification.Kind { .elu }
    public var alpha: Double? { scale.shortestDouble }
    public init(alpha: Float = 1) { scale = alpha }
    @inline(__always) public func value(_ x: Float) -> Float { x > 0 ? x : scale * (expf(x) - 1) }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float { x > 0 ? 1 : y + scale }
}

/// The exact GELU, x * Φ(x) = x/2 * (1 + erf(x / √2)), as Keras's default.
public struct GELUFunction: ActivationFunction {
    public var kind: LayerSpecification.Kind { .gelu }
    public init() {}
    @inline(__always) public func value(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.707_106_77)) }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float {
        let cdf = 0.5 * (1 + erff(x * 0.707_106_77))
        let pdf = expf(-0.5 * x * x) * 0.398_942_28
        return cdf + x * pdf
    }
}

/// tanh(x); derivative 1 - y².
public struct TanhFunction: ActivationFunction {
    public var kind: LayerSpecification.Kind { .tanh }
    public init() {}
    @inline(__always) public func value(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float { 1 - y * y }
}

/// 1 / (1 + exp(-x)); derivative y (1 - y).
public struct SigmoidFunction: ActivationFunction {
    public var kind: LayerSpecification.Kind { .sigmoid }
    public init() {}
    @inline(__always) public func value(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    @inline(__always) public func derivative(x: Float, y: Float) -> Float { y * (1 - y) }
}

/// max(0, x), elementwise.
public typealias ReLU = Activation<ReLUFunction>
/// x for x > 0, else a small slope times x, elementwise.
public typealias LeakyReLU = Activation<LeakyReLUFunction>
/// x for x > 0, else exp(x) - 1, elementwise.
public typealias ELU = Activation<ELUFunction>
/// The Gaussian error linear unit (tanh form), elementwise.
public typealias GELU = Activation<GELUFunction>
/// The hyperbolic tangent, elementwise.
public typealias Tanh = Activation<TanhFunction>
/// The logistic function 1 / (1 + exp(-x)), elementwise.
public typealias Sigmoid = Activation<SigmoidFunction>

extension Activation where Function == ReLUFunction { public convenience init() { self.init(ReLUFunction()) } }
extension Activation where Function == LeakyReLUFunction {
    public convenience init(alpha: Float = 0.3) { self.init(LeakyReLUFunction(alpha: alpha)) }
}
extension Activation where Function == ELUFunction {
    public convenience init(alpha: Float = 1) { self.init(ELUFunction(alpha: alpha)) }
}
extension Activation where Function == GELUFunction { public convenience init() { self.init(GELUFunction()) } }
extension Activation where Function == TanhFunction { public convenience init() { self.init(TanhFunction()) } }
extension Activation where Function == SigmoidFunction { public convenience init() { self.init(SigmoidFunction()) } }
