import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

@testable import Explain

/// The saliency methods against hand computations and central differences, and the sanity
/// checks that say a map depends on what the model learnt.
@Suite(.timeLimit(.minutes(10))) struct ExplainerTests {
    /// A smooth image model (tanh, GELU, average pooling), so central differences and
    /// integrated gradients' quadrature behave as the textbook says.
    static func imageModel(seed: UInt64 = 3) throws -> Sequential {
        try Sequential(inputShape: [6, 6, 1], seed: seed) {
            Conv2D(filters: 3, kernelSize: 3, padding: .same)
            BatchNorm()
            Tanh()
            Pool2D(.average)
            Flatten()
            Dense(units: 5)
            GELU()
            Dense(units: 3)
            Softmax()
        }
    }

    static func inputs(count: Int, size: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(count * size)).map { _ in generator.nextUnitFloat() }
    }

    @Test(arguments: [false, true], Explainer.Score.allCases)
    func theGradientIsTheScoresDerivative(image: Bool, score: Explainer.Score) throws {
        let model =
            image
            ? try Self.imageModel()
            : try Sequential(inputSize: 6, seed: 2) {
                Dense(units: 4)
                Tanh()
                Dense(units: 3)
                Softmax()
            }
        let explainer = Explainer(model: model, score: score)
        let x = Self.inputs(count: 2, size: model.inputSize, seed: 4)
        let classes = [2, 0]
        let analytic = explainer.gradient(x, classes: classes)
        // The score by hand: the logit, or the logit less log Σ exp(logits).
        func target(_ v: [Float], _ row: Int) -> Double {
            let z = explainer.scores(v, count: 2)[(row * 3)..<(row * 3 + 3)].map(Double.init)
            let logit = z[z.startIndex + classes[row]]
            return score == .logit ? logit : logit - log(z.reduce(0) { $0 + exp($1) })
        }
        #expect(abs(explainer.targetScores(x, classes: classes)[1] - target(x, 1)) < 1e-5)
        var worst = 0.0
        for i in 0..<x.count {
            let row = i / model.inputSize
            var up = x
            var down = x
            up[i] += 1e-2
            down[i] -= 1e-2
            let numeric = (target(up, row) - target(down, row)) / 2e-2
            worst = max(worst, abs(numeric - Double(analytic[i])) / max(1, abs(numeric)))
        }
        #expect(worst < 1e-2, "worst relative error \(worst)")
        // Gradient x input is the product, elementwise.
        #expect(explainer.gradientTimesInput(x, classes: classes) == zip(analytic, x).map { $0 * $1 })
    }

    @Test func smoothGradAveragesNoisyCopies() throws {
        let model = try Self.imageModel()
        let explainer = Explainer(model: model, score: .logProbability)
        let x = Self.inputs(count: 2, size: 36, seed: 6)
        let base = [Float](repeating: 0, count: x.count)
        let smoothing = Explainer.Smoothing(samples: 4, noise: 0.2, seed: 3)
        // No noise: the plain map, whatever the copies.
        let quiet = explainer.smoothed(x, smoothing: Explainer.Smoothing(samples: 3, noise: 0), range: 1) {
            explainer.gradient($0, classes: [1, 2])
        }
        let plain = explainer.gradient(x, classes: [1, 2])
        #expect(zip(quiet, plain).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        // Noise: the mean of the maps of the copies, the same for the same seed, another for another.
        let smooth = explainer.smoothIntegratedGradients(
            x, baselines: base, classes: [1, 2], steps: 32, smoothing: smoothing, range: 1)
        let again = explainer.smoothIntegratedGradients(
            x, baselines: base, classes: [1, 2], steps: 32, smoothing: smoothing, range: 1)
        #expect(smooth.maps == again.maps)
        var other = smoothing
        other.seed = 4
        #expect(
            explainer.smoothIntegratedGradients(
                x, baselines: base, classes: [1, 2], steps: 32, smoothing: other, range: 1
            ).maps != smooth.maps)
        #expect(smooth.maps != explainer.integratedGradients(x, baselines: base, classes: [1, 2], steps: 32).maps)
        // Completeness holds for the mean: each map sums to the copies' mean score difference.
        for i in 0..<2 {
            let sum = smooth.maps[(i * 36)..<((i + 1) * 36)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - smooth.differences[i]) <= 0.01 * abs(smooth.differences[i]), "image \(i)")
            #expect(abs(smooth.deltas[i] - abs(sum - smooth.differences[i])) < 1e-4)
        }
        // The noise is as large as asked: 4 copies of a zero image, deviation 0.2 of a range of 2.
        var copies = [[Float]]()
        _ = explainer.smoothed(
            [Float](repeating: 0, count: 36 * 50), smoothing: Explainer.Smoothing(samples: 4, noise: 0.2), range: 2
        ) { noisy in
            copies.append(noisy)
            return noisy
        }
        let all = copies.flatMap { $0 }
        let deviation = (all.reduce(0.0) { $0 + Double($1 * $1) } / Double(all.count)).squareRoot()
        #expect(copies.count == 4 && abs(deviation - 0.4) < 0.02, "deviation \(deviation)")
    }

    @Test(arguments: Explainer.Score.allCases) func integratedGradientsAreComplete(score: Explainer.Score) throws {
        let model = try Self.imageModel()
        let explainer = Explainer(model: model, score: score)
        let x = Self.inputs(count: 3, size: 36, seed: 5)
        let base = [Float](repeating: 0, count: x.count)
        let (maps, deltas, _) = explainer.integratedGradients(x, baselines: base, classes: [0, 1, 2], steps: 64)
        let scores = explainer.targetScores(x + base, classes: [0, 1, 2, 0, 1, 2])
        for i in 0..<3 {
            let sum = maps[(i * 36)..<((i + 1) * 36)].reduce(0.0) { $0 + Double($1) }
            let difference = scores[i] - scores[3 + i]
            #expect(abs(sum - difference) <= 0.01 * abs(difference), "image \(i): \(sum) against \(difference)")
            #expect(abs(deltas[i] - abs(sum - difference)) < 1e-4)
        }
        // Gauss-Legendre: the weights sum to 1 and x⁵ integrates exactly with three points.
        let (nodes, weights) = Explainer.gaussLegendre(3)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-12)
        #expect(abs(zip(nodes, weights).reduce(0) { $0 + $1.1 * pow($1.0, 5) } - 1.0 / 6) < 1e-12)
    }

    @Test func occlusionIsTheMeanDropInProbability() throws {
        // 2x2 images, one dense layer: the probabilities can be computed by hand.
        let model = try Sequential(inputShape: [2, 2, 1], seed: 1) {
            Flatten()
            Dense(units: 2)
            Softmax()
        }
        let dense = model.layers[1] as! Dense
        for (i, w) in [1, -1, 2, 0.5, -1, 1, 0, 3].enumerated() { dense.kernel.value.pointer[i] = Float(w) }
        dense.bias.value.pointer[0] = 0.1
        dense.bias.value.pointer[1] = -0.2
        let x: [Float] = [0.5, 1, 0.25, 0.75]
        func probability(_ v: [Float]) -> Float {
            let z0 = v[0] * 1 + v[1] * 2 + v[2] * -1 + v[3] * 0 + 0.1
            let z1 = v[0] * -1 + v[1] * 0.5 + v[2] * 1 + v[3] * 3 - 0.2
            return exp(z0) / (exp(z0) + exp(z1))
        }
        let map = Explainer(model: model).occlusion(
            x, classes: [0], shape: ImageShape(height: 2, width: 2), window: 1, stride: 1)
        for p in 0..<4 {
            var occluded = x
            occluded[p] = 0
            #expect(abs(map[p] - (probability(x) - probability(occluded))) < 1e-5, "pixel \(p)")
        }
        // A 2x2 window covers everything once: every pixel gets the one drop.
        let whole = Explainer(model: model).occlusion(
            x, classes: [0], shape: ImageShape(height: 2, width: 2), window: 2, stride: 1)
        #expect(whole.allSatisfy { abs($0 - (probability(x) - probability([0, 0, 0, 0]))) < 1e-5 })
    }

    @Test func gradCAMWeighsTheChannelsByTheirMeanGradient() throws {
        // A 1x1 convolution (two channels) then a dense layer: dScore/dA is the dense kernel.
        let model = try Sequential(inputShape: [2, 2, 1], seed: 1) {
            Conv2D(filters: 2, kernelSize: 1)
            Flatten()
            Dense(units: 2)
            Softmax()
        }
        let conv = model.layers[0] as! Conv2D
        let dense = model.layers[2] as! Dense
        conv.kernel.value.pointer[0] = 1
        conv.kernel.value.pointer[1] = -2
        conv.bias.value.pointer[0] = 0.5
        conv.bias.value.pointer[1] = 0
        for i in 0..<16 { dense.kernel.value.pointer[i] = Float(i % 5) - 1.5 }
        let x: [Float] = [0.2, 0.9, 0.4, 0.1]
        let cam = try Explainer(model: model).gradCAM(x, classes: [1], layer: 0)
        // By hand: A[p][k] = w_k x_p + b_k; dScore/dA[p][k] = kernel[(p·2 + k), 1].
        let w: [Float] = [1, -2]
        let b: [Float] = [0.5, 0]
        let alpha = (0..<2).map { k in (0..<4).reduce(Float(0)) { $0 + dense.kernel.value[$1 * 2 + k, 1] } / 4 }
        for p in 0..<4 {
            let value = max(0, (0..<2).reduce(Float(0)) { $0 + alpha[$1] * (w[$1] * x[p] + b[$1]) })
            #expect(abs(cam[p] - value) < 1e-5, "pixel \(p)")
        }
        let explainer = Explainer(model: model)
        #expect(explainer.imageLayers == [0] && explainer.lastImageLayer == 0)
        let badLayer = #expect(throws: ExplainError.self) { try explainer.gradCAM(x, classes: [1], layer: 2) }
        #expect(badLayer?.description == "layer: expected a layer whose output is an image: 0; found 2")
        let dense2 = Explainer(
            model: try Sequential(inputSize: 4, seed: 1) {
                Dense(units: 2)
                Softmax()
            })
        let denseError = #expect(throws: ExplainError.self) { try dense2.gradCAM(x, classes: [0], layer: 0) }
        #expect(denseError?.description.hasPrefix("method: grad-cam needs a model of images") == true)
    }

    @Test func mapsOfARandomisedModelRankUnlikeTheTrainedOnes() throws {
        // Train a little so the top layers hold something, then randomise them.
        let images = Fixtures.images(count: 120, rows: 6, columns: 6, classCount: 3)
        let model = try Self.imageModel()
        _ = try Trainer.fit(
            model,
            on: InMemoryData(
                features: images.pixels.map { Float($0) / 255 }, labels: images.labels.map(Int.init), featureCount: 36),
            options: TrainingOptions(epochs: 3, batchSize: 16), threads: 1)
        let x = images.pixels.prefix(4 * 36).map { Float($0) / 255 }
        let trained = Explainer(model: model).gradient(Array(x), classes: [0, 1, 2, 0])
        let again = Explainer(model: model).gradient(Array(x), classes: [0, 1, 2, 0])
        let randomised = try SaliencyChecks.randomisingTop(model, layers: 4, seed: 42)
        #expect(
            randomised.layers[0].parameters[0].value.values == model.layers[0].parameters[0].value.values,
            "bottom layers kept")
        #expect(
            randomised.layers[5].parameters[0].value.values != model.layers[5].parameters[0].value.values,
            "top layers fresh")
        let other = Explainer(model: randomised).gradient(Array(x), classes: [0, 1, 2, 0])
        for i in 0..<4 {
            let range = (i * 36)..<((i + 1) * 36)
            #expect(SaliencyChecks.spearman(Array(trained[range]), Array(again[range])) == 1)
            #expect(SaliencyChecks.spearman(Array(trained[range]), Array(other[range])) < 0.9)
        }
        // Spearman by hand: a reversed order is -1, ties take their mean rank.
        #expect(SaliencyChecks.spearman([1, 2, 3, 4], [8, 6, 4, 2]) == -1)
        #expect(SaliencyChecks.ranks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
    }

    @Test func deletionRemovesPixelsInTheGivenOrder() throws {
        let model = try Sequential(inputShape: [2, 2, 1], seed: 1) {
            Flatten()
            Dense(units: 2)
            Softmax()
        }
        let explainer = Explainer(model: model)
        let curve = SaliencyChecks.deletionCurve(
            explainer: explainer, image: [1, 1, 1, 1], classIndex: 0, order: [3, 2, 1, 0], channels: 1, steps: 4)
        #expect(curve.count == 5)
        let expected = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]].map { v -> Double in
            Double(explainer.probabilities(v.map(Float.init), count: 1)[0])
        }
        #expect(curve == expected)
        #expect(SaliencyChecks.order(byMap: [0.1, 0.9, 0.5, 0.9], channels: 1) == [1, 3, 2, 0])
    }

    /// A quantized model (`fashion quantize`) is explained through its dequantized layers: its
    /// gradient points where the 32-bit model's does (the straight-through estimate), through
    /// the fused convolution-pooling step too.
    @Test func aQuantizedModelsGradientFollowsTheModels() throws {
        let model = try Sequential(specification: try #require(Preset.named("cnn-small")).model, seed: 2)
        let calibration = Matrix(rows: 32, columns: 784, values: Self.inputs(count: 32, size: 784, seed: 4))
        let (quantized, _) = try model.quantizedInt8(calibration: calibration)
        #expect(quantized.executionSteps.contains("quantized_conv2d+max_pool2d+relu"))
        let inputs = Self.inputs(count: 3, size: 784, seed: 9)
        let expected = Explainer(model: model.inferenceModel()).gradient(inputs, classes: [0, 4, 9])
        let found = Explainer(model: quantized).gradient(inputs, classes: [0, 4, 9])
        #expect(found.count == expected.count && found.allSatisfy(\.isFinite))
        for row in 0..<3 {
            let a = found[(row * 784)..<((row + 1) * 784)]
            let b = expected[(row * 784)..<((row + 1) * 784)]
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = (a.reduce(0.0) { $0 + Double($1 * $1) } * b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
            #expect(norms > 0 && dot / norms > 0.9, "row \(row): cosine \(dot / norms)")
        }
    }
}
