import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// Every differentiable layer against central differences (see `GradientCheck`).
@Suite(.timeLimit(.minutes(10))) struct LayerGradientTests {
    static let tolerance = 1e-2

    func built(_ layer: any Layer, inputSize: Int) throws -> any Layer {
        var generator = SeededGenerator(seed: 3)
        _ = try layer.build(inputShape: [inputSize], generator: &generator)
        return layer
    }

    @Test(arguments: [(1, 1, 1), (4, 5, 3), (3, 7, 2)])
    func dense(batch: Int, inputs: Int, units: Int) throws {
        let layer = try built(Dense(units: units), inputSize: inputs)
        let outcome = GradientCheck.check(
            layer, input: GradientCheck.randomInput(rows: batch, columns: inputs, seed: 5))
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
    }

    @Test(
        arguments: LayerSpecification.Kind.allCases.filter {
            ![
                .dense, .quantizedDense, .quantizedConv2D, .dropout, .batchNorm, .conv2D, .maxPool2D, .averagePool2D,
                .globalAveragePool,
                .residual,
            ]
            .contains($0)
        })
    func elementwiseAndSoftmax(kind: LayerSpecification.Kind) throws {
        let layer = try built(LayerSpecification(kind: kind).makeLayer(), inputSize: 6)
        let outcome = GradientCheck.check(layer, input: GradientCheck.randomInput(rows: 3, columns: 6, seed: 8))
        #expect(
            outcome.passes(tolerance: Self.tolerance), "\(kind): worst \(outcome.worstError) at \(outcome.worstName)")
    }

    @Test func batchNormInTraining() throws {
        let layer = try built(BatchNorm(), inputSize: 4)
        let norm = layer as! BatchNorm
        for i in 0..<4 {
            norm.gamma.value.pointer[i] = 0.5 + Float(i)
            norm.beta.value.pointer[i] = Float(i) - 1
        }
        let outcome = GradientCheck.check(layer, input: GradientCheck.randomInput(rows: 5, columns: 4, seed: 9))
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
    }

    @Test func batchNormNormalisesInTrainingAndUsesMovingStatisticsAfter() throws {
        let norm = try built(BatchNorm(momentum: 0), inputSize: 2) as! BatchNorm
        let input = Matrix(rows: 4, columns: 2, values: [1, 10, 2, 20, 3, 30, 4, 40])
        let out = norm.forward(input, training: true)
        let column0 = (0..<4).map { out[$0, 0] }
        #expect(abs(column0.reduce(0, +)) < 1e-5)
        #expect(abs(column0.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-2)
        // Momentum 0: the moving statistics are the last batch's: mean 2.5 and 25, variance 1.25 and 125.
        #expect(abs(norm.movingMean.value[0, 1] - 25) < 1e-4 && abs(norm.movingVariance.value[0, 0] - 1.25) < 1e-5)
        let inference = norm.forward(Matrix(rows: 1, columns: 2, values: [2.5, 25]), training: false)
        #expect(abs(inference[0, 0]) < 1e-6 && abs(inference[0, 1]) < 1e-6)
    }

    @Test func dropoutZeroesAboutTheRateAndScalesTheRest() throws {
        let dropout = try built(Dropout(rate: 0.25), inputSize: 1000)
        let input = Matrix(rows: 4, columns: 1000, repeating: 1)
        let out = dropout.forward(input, training: true)
        let values = out.values
        let zeros = values.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 4000 - 0.25) < 0.03)
        #expect(values.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        // The gradient passes exactly where the input did.
        let g = dropout.backward(Matrix(rows: 4, columns: 1000, repeating: 2), needsInputGradient: true)!.values
        #expect(zip(values, g).allSatisfy { ($0 == 0) == ($1 == 0) })
        // Inference is the identity.
        #expect(dropout.forward(input, training: false).values.allSatisfy { $0 == 1 })
    }

    @Test func theCheckCatchesAWrongBackward() throws {
        let broken = try built(Activation(HalfDerivativeReLU()), inputSize: 5)
        let outcome = GradientCheck.check(broken, input: GradientCheck.randomInput(rows: 2, columns: 5, seed: 4))
        #expect(!outcome.passes(tolerance: Self.tolerance))
        #expect(outcome.worstError > 0.3)
    }
}

/// ReLU with a wrong derivative (half the true one): the gradient check must reject it.
struct HalfDerivativeReLU: ActivationFunction {
    var kind: LayerSpecification.Kind { .relu }
    func value(_ x: Float) -> Float { max(0, x) }
    func derivative(x: Float, y: Float) -> Float { x > 0 ? 0.5 : 0 }
}

@Suite(.timeLimit(.minutes(10))) struct LossTests {
    func labels(_ values: [Int32], _ body: (UnsafeBufferPointer<Int32>) -> Void) {
        values.withUnsafeBufferPointer(body)
    }

    @Test func handComputedLossAndGradient() {
        // Logits [ln 3, 0]: probabilities [0.75, 0.25]; label 0: loss -ln 0.75 = 0.2876821.
        let loss = SoftmaxCrossEntropy()
        let logits = Matrix(rows: 1, columns: 2, values: [Float(log(3.0)), 0])
        labels([0]) { result in
            let r = loss.evaluate(logits: logits, labels: result)
            #expect(abs(r.loss - 0.2876821) < 1e-6)
            #expect(r.correct == 1)
        }
        #expect(abs(loss.gradient[0, 0] + 0.25) < 1e-6 && abs(loss.gradient[0, 1] - 0.25) < 1e-6)
    }

    @Test func labelSmoothingAsKeras() {
        // Smoothing 0.2 over 2 classes: targets [0.9, 0.1]; loss 0.9 * 0.2876821 + 0.1 * 1.3862944 = 0.3975433.
        let loss = SoftmaxCrossEntropy(labelSmoothing: 0.2)
        let logits = Matrix(rows: 1, columns: 2, values: [Float(log(3.0)), 0])
        labels([0]) { _ = loss.evaluate(logits: logits, labels: $0) }
        labels([0]) { #expect(abs(loss.evaluate(logits: logits, labels: $0).loss - 0.3975433) < 1e-6) }
        #expect(abs(loss.gradient[0, 0] + 0.15) < 1e-6 && abs(loss.gradient[0, 1] - 0.15) < 1e-6)
    }

    @Test func hugeLogitsStayFinite() {
        let loss = SoftmaxCrossEntropy()
        let logits = Matrix(rows: 2, columns: 3, values: [1000, 0, -1000, -500, 500, 0])
        labels([0, 0]) { result in
            let r = loss.evaluate(logits: logits, labels: result)
            #expect(r.loss.isFinite)
            #expect(abs(r.loss - 500) < 1e-2)  // (0 + 1000) / 2
            #expect(r.correct == 1)
        }
        #expect(loss.gradient.values.allSatisfy { $0.isFinite })
    }

    @Test(arguments: [0.0, 0.1])
    func gradientMatchesCentralDifferences(smoothing: Double) {
        let loss = SoftmaxCrossEntropy(labelSmoothing: Float(smoothing))
        let logits = GradientCheck.randomInput(rows: 3, columns: 4, seed: 2)
        let targets: [Int32] = [1, 3, 0]
        labels(targets) { _ = loss.evaluate(logits: logits, labels: $0) }
        let analytic = loss.gradient.values
        for i in 0..<logits.count {
            let saved = logits.pointer[i]
            var up: Float = 0
            var down: Float = 0
            logits.pointer[i] = saved + 1e-2
            labels(targets) { up = loss.evaluate(logits: logits, labels: $0, computeGradient: false).loss }
            logits.pointer[i] = saved - 1e-2
            labels(targets) { down = loss.evaluate(logits: logits, labels: $0, computeGradient: false).loss }
            logits.pointer[i] = saved
            #expect(abs((up - down) / 2e-2 - analytic[i]) < 1e-3)
        }
    }
}
