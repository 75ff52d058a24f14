import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// The fused sigmoid and binary cross-entropy of multi-label tagging. Golden numbers from
/// PyTorch's `BCEWithLogitsLoss` definition, computed in float64 with numpy (torch itself is
/// not installed here; the direct form −[w·y·log σ + (1−y)·log(1−σ)] gives the same 0.280316).
@Suite(.timeLimit(.minutes(10))) struct SigmoidBinaryCrossEntropyTests {
    static let logits: [Float] = [2, -1, 0.5, -3, 0, 4]
    static let tags: [Float] = [1, 0, 1, 0, 1, 1]

    func evaluate(_ loss: SigmoidBinaryCrossEntropy, logits: Matrix, tags: [Float] = Self.tags, gradient: Bool = true)
        -> LossResult
    {
        [Int32](repeating: 0, count: logits.rows).withUnsafeBufferPointer { classes in
            tags.withUnsafeBufferPointer {
                loss.evaluate(
                    logits: logits, targets: LossTargets(classes: classes, tags: $0), computeGradient: gradient)
            }
        }
    }

    @Test(
        arguments: [
            (
                nil, 0.0, 0.2790251904654665,
                [
                    -0.01986715367035295, 0.04482357022833252, -0.0629234447996909, 0.00790431219626113,
                    -0.08333333333333333, -0.0029977016603485915,
                ]
            ),
            (
                [3, 1, 0.5], 0.0, 0.28031561813829764,
                [
                    -0.05960146101105882, 0.04482357022833252, -0.03146172239984545, 0.00790431219626113,
                    -0.08333333333333333, -0.0014988508301742958,
                ]
            ),
            (
                nil, 0.2, 0.45402519046546647,
                [
                    -0.0032004870036862845, 0.02815690356166585, -0.046256778133024236, -0.008762354470405537,
                    -0.06666666666666667, 0.013668965006318071,
                ]
            ),
        ] as [([Float]?, Double, Double, [Double])])
    func lossAndGradientAsPyTorchDefinesThem(weights: [Float]?, smoothing: Double, expected: Double, gradient: [Double])
    {
        let loss = SigmoidBinaryCrossEntropy(labelSmoothing: Float(smoothing), positiveWeights: weights)
        let result = evaluate(loss, logits: Matrix(rows: 2, columns: 3, values: Self.logits))
        #expect(abs(Double(result.loss) - expected) < 1e-6)
        #expect(zip(loss.gradient.values, gradient).allSatisfy { abs(Double($0) - $1) < 1e-7 })
        // Row 0 is right at 0.5 (tags 1, 0, 1); row 1 (0, 1, 1) has tag 1's logit 0 → predicted, right too.
        #expect(result.correct == 2)
    }

    @Test(arguments: [0.0, 0.1])
    func gradientMatchesCentralDifferences(smoothing: Double) {
        let loss = SigmoidBinaryCrossEntropy(labelSmoothing: Float(smoothing), positiveWeights: [2, 0.5, 1, 4])
        let logits = GradientCheck.randomInput(rows: 3, columns: 4, seed: 5)
        let tags: [Float] = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0]
        _ = evaluate(loss, logits: logits, tags: tags)
        let analytic = loss.gradient.values
        for i in 0..<logits.count {
            let saved = logits.pointer[i]
            logits.pointer[i] = saved + 1e-2
            let up = evaluate(loss, logits: logits, tags: tags, gradient: false).loss
            logits.pointer[i] = saved - 1e-2
            let down = evaluate(loss, logits: logits, tags: tags, gradient: false).loss
            logits.pointer[i] = saved
            #expect(abs((up - down) / 2e-2 - analytic[i]) < 1e-4)
        }
        // The check can fail: a wrong sign on one entry is seen.
        var wrong = analytic
        wrong[3] = -wrong[3]
        logits.pointer[3] += 1e-2
        let up = evaluate(loss, logits: logits, tags: tags, gradient: false).loss
        logits.pointer[3] -= 2e-2
        let down = evaluate(loss, logits: logits, tags: tags, gradient: false).loss
        #expect(abs((up - down) / 2e-2 - wrong[3]) > 1e-4)
    }

    @Test func hugeLogitsStayFiniteAndOneHotClassesWork() {
        let loss = SigmoidBinaryCrossEntropy()
        let logits = Matrix(rows: 1, columns: 3, values: [1000, -1000, -1000])
        // No tags: class 0 as a one-hot row.
        let result = [Int32(0)].withUnsafeBufferPointer {
            loss.evaluate(logits: logits, targets: LossTargets(classes: $0), computeGradient: true)
        }
        #expect(result.loss.isFinite && result.loss < 1e-6)
        #expect(result.correct == 1)
        #expect(loss.gradient.values.allSatisfy { $0.isFinite })
        let wrong = Matrix(rows: 1, columns: 1, values: [-1000])
        let far = [Int32(0)].withUnsafeBufferPointer {
            loss.evaluate(logits: wrong, targets: LossTargets(classes: $0), computeGradient: false)
        }
        #expect(abs(far.loss - 1000) < 1e-3)
    }

    @Test func flipAveragingIsRefusedWithThisLoss() {
        var options = TrainingOptions(epochs: 1)
        options.loss = .sigmoidBinaryCrossEntropy
        options.flipAveraging = true
        #expect(throws: ModelError.self) { try options.validate(hasValidation: false) }
    }
}
