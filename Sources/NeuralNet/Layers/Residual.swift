import NumericCore

/// A residual connection (He et al. 2016): `output = input + body(input)`, for small
/// ResNet-style blocks. The body is a list of layers whose output has the input's shape.
///
/// - Input and output: the same shape (`[batch, features]` or NHWC images).
/// - Parameters: the body's. Backward: dInput = dOutput + the body's dInput.
public final class Residual: Layer {
    public let body: [any Layer]
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init(@LayerBuilder _ body: () -> [any Layer]) { self.body = body() }

    public init(layers: [any Layer]) { body = layers }

    public var specification: LayerSpecification {
        LayerSpecification(kind: .residual, layers: body.map(\.specification))
    }
    public var parameters: [Parameter] { body.flatMap(\.parameters) }
    public var state: [Parameter] { body.flatMap(\.state) }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        guard !body.isEmpty else { throw .invalidSpecification("a residual block needs at least one layer") }
        var shape = inputShape
        for layer in body { shape = try layer.build(inputShape: shape, generator: &generator) }
        guard shape.reduce(1, *) == inputShape.reduce(1, *) else {
            throw .invalidSpecification(
                "a residual block's layers must keep the shape \(inputShape), but they give \(shape)")
        }
        return inputShape
    }

    public func sharingWeights() -> any Layer { Residual(layers: body.map { $0.sharingWeights() }) }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        var x = input
        for layer in body { x = layer.forward(x, training: training) }
        output.resize(rows: input.rows, columns: input.columns)
        let a = input.pointer
        let b = x.pointer
        let y = output.pointer
        for i in 0..<input.count { y[i] = a[i] + b[i] }
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        var g: Matrix? = outputGradient
        for layer in body.reversed() {
            guard let next = g else { break }
            g = layer.backward(next, needsInputGradient: true)
        }
        guard needsInputGradient, let bodyGradient = g else { return nil }
        inputGradient.resize(rows: outputGradient.rows, columns: outputGradient.columns)
        let a = outputGradient.pointer
        let b = bodyGradient.pointer
        let d = inputGradient.pointer
        for i in 0..<outputGradient.count { d[i] = a[i] + b[i] }
        return inputGradient
    }
}
