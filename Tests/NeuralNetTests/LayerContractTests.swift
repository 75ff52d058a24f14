import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// The contract of `Layer`, checked for every layer kind the project has (Keras's layer test
/// does the same for each of its layers): the specification survives JSON and a model file,
/// the copies that share weights compute the same, and the gradients, the input's included,
/// match central differences in training and in inference mode.
@Suite(.timeLimit(.minutes(10))) struct LayerContractTests {
    static let tolerance = 1e-2

    /// A layer of `kind` with the input it is tested on. Every kind has one: the switch is
    /// exhaustive, so a new kind cannot be added without a context here.
    static func context(_ kind: LayerSpecification.Kind) -> (spec: LayerSpecification, input: [Int]) {
        switch kind {
        case .dense: return (LayerSpecification(kind: .dense, units: 3), [5])
        case .quantizedDense: return (LayerSpecification(kind: .quantizedDense, units: 3), [5])
        case .quantizedConv2D:
            return (
                LayerSpecification(kind: .quantizedConv2D, filters: 2, kernelSize: 3, stride: 2, padding: .same),
                [5, 5, 3]
            )
        case .relu, .gelu, .tanh, .sigmoid: return (LayerSpecification(kind: kind), [6])
        case .leakyReLU, .elu: return (LayerSpecification(kind: kind, alpha: 0.2), [6])
        case .softmax: return (LayerSpecification(kind: .softmax), [5])
        case .dropout: return (LayerSpecification(kind: .dropout, rate: 0.3), [6])
        case .batchNorm: return (LayerSpecification(kind: .batchNorm, momentum: 0.9, epsilon: 1e-5), [3, 3, 3])
        case .flatten: return (LayerSpecification(kind: .flatten), [3, 3, 3])
        case .conv2D:
            return (LayerSpecification(kind: .conv2D, filters: 2, kernelSize: 3, stride: 2, padding: .same), [5, 5, 3])
        case .maxPool2D: return (LayerSpecification(kind: .maxPool2D, kernelSize: 2), [4, 4, 1])
        case .averagePool2D:
            return (LayerSpecification(kind: .averagePool2D, kernelSize: 2, padding: .same), [5, 5, 1])
        case .globalAveragePool: return (LayerSpecification(kind: .globalAveragePool), [3, 3, 3])
        case .residual:
            return (
                LayerSpecification(
                    kind: .residual,
                    layers: [LayerSpecification(kind: .dense, units: 4), LayerSpecification(kind: .tanh)]), [4]
            )
        }
    }

    static let kinds = LayerSpecification.Kind.allCases

    /// A model of the one layer, built from a seed, whose batch-norm statistics have moved
    /// away from their initial values (so inference mode differs from a fresh layer).
    static func model(_ kind: LayerSpecification.Kind) throws -> (Sequential, Matrix) {
        let (spec, shape) = context(kind)
        let layer = try spec.makeLayer()
        let model = try Sequential(inputShape: shape, seed: 11) { layer }
        let input = GradientCheck.randomInput(rows: 4, columns: shape.reduce(1, *), seed: 12)
        for _ in 0..<3 { _ = model.forward(input, training: true) }
        return (model, input)
    }

    @Test(arguments: kinds) func theSpecificationSurvivesJSONAndBuildsTheSameLayer(kind: LayerSpecification.Kind) throws
    {
        let (spec, _) = Self.context(kind)
        let decoded = try JSONDecoder().decode(LayerSpecification.self, from: JSONEncoder().encode(spec))
        #expect(decoded == spec)
        let (model, _) = try Self.model(kind)
        #expect(model.layers[0].specification == spec, "the built layer describes itself as it was specified")
    }

    @Test(arguments: kinds) func aModelFileGivesBackTheSameLayer(kind: LayerSpecification.Kind) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (model, input) = try Self.model(kind)
        let shape =
            model.inputShape.count == 3 ? ImageShape(model.inputShape)! : ImageShape(height: 1, width: model.inputSize)
        let url = temp.file("m.safetensors")
        try ModelFile(
            model: model, classNames: (0..<model.outputSize).map { "c\($0)" },
            preprocessing: Preprocessing(image: shape)
        )
        .write(to: url)
        let loaded = try ModelFile.read(from: url).model
        #expect(loaded.specification == model.specification)
        #expect(loaded.namedTensors.map(\.name) == model.namedTensors.map(\.name))
        #expect(loaded.snapshot() == model.snapshot())
        #expect(loaded(input).values == model(input).values)
    }

    @Test(arguments: kinds) func copiesSharingTheWeightsComputeTheSame(kind: LayerSpecification.Kind) throws {
        let (model, input) = try Self.model(kind)
        let copy = model.sharingWeights()
        let expected = model(input).values
        #expect(copy(input).values == expected)
        #expect(zip(copy.namedTensors, model.namedTensors).allSatisfy { $0.parameter === $1.parameter })
        // The copy's buffers are its own: running it leaves the original's output as it was.
        let original = model(input)
        _ = copy(GradientCheck.randomInput(rows: 4, columns: model.inputSize, seed: 99))
        #expect(original.values == expected)
    }

    @Test(arguments: kinds, [true, false])
    func gradientsMatchCentralDifferences(kind: LayerSpecification.Kind, training: Bool) throws {
        // Dropout draws a new mask every training forward, so central differences cannot see
        // one function; its training backward is checked against the mask in
        // LayerGradientTests.dropoutZeroesAboutTheRateAndScalesTheRest.
        if kind == .dropout && training { return }
        // A quantized layer is a step function of its input (central differences see 0 or a
        // jump); its backward is the straight-through estimate, checked against the dense layer
        // of the same weights in QuantizationTests.
        if kind == .quantizedDense || kind == .quantizedConv2D { return }
        let (model, input) = try Self.model(kind)
        let layer = model.layers[0]
        let outcome = GradientCheck.check(layer, input: input, training: training)
        #expect(
            outcome.passes(tolerance: Self.tolerance),
            "\(kind), training \(training): worst \(outcome.worstError) at \(outcome.worstName)")
    }

    /// The whole model's input gradient, layer 0 included, through every kind of image layer.
    @Test(arguments: [true, false]) func theModelGivesTheGradientOfItsInput(training: Bool) throws {
        let model = try Sequential(inputShape: [6, 6, 1], seed: 5) {
            Conv2D(filters: 3, kernelSize: 3, padding: .same)
            BatchNorm()
            ReLU()
            Residual {
                Conv2D(filters: 3, kernelSize: 3, padding: .same)
                Tanh()
            }
            Pool2D(.average)
            Flatten()
            Dense(units: 4)
            GELU()
            Dense(units: 3)
            Softmax()
        }
        let input = GradientCheck.randomInput(rows: 2, columns: 36, seed: 6)
        for _ in 0..<3 { _ = model.forward(input, training: true) }
        var generator = SeededGenerator(seed: 7)
        let weights = Matrix(rows: 2, columns: 3)
        for i in 0..<weights.count { weights.pointer[i] = generator.nextFloat(in: -1, 1) }
        func loss() -> Double {
            let out = model.forward(input, training: training)
            return (0..<out.count).reduce(0.0) { $0 + Double(out.pointer[$1]) * Double(weights.pointer[$1]) }
        }
        _ = model.forward(input, training: training)
        let analytic = model.inputGradient(fromOutput: weights).values
        #expect(analytic.count == input.count)
        var worst = 0.0
        for i in 0..<input.count {
            let saved = input.pointer[i]
            input.pointer[i] = saved + 1e-2
            let up = loss()
            input.pointer[i] = saved - 1e-2
            let down = loss()
            input.pointer[i] = saved
            let numeric = (up - down) / 2e-2
            worst = max(worst, abs(numeric - Double(analytic[i])) / max(1, abs(numeric)))
        }
        #expect(worst < Self.tolerance, "worst relative error \(worst)")
    }

    @Test func batchNormKeepsItsMomentumAndEpsilonThroughAModelFile() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try Sequential(inputSize: 4, seed: 1) {
            BatchNorm(momentum: 0.9, epsilon: 1e-5)
            Dense(units: 2)
            Softmax()
        }
        let url = temp.file("m.safetensors")
        try ModelFile(
            model: model, classNames: ["a", "b"], preprocessing: Preprocessing(image: ImageShape(height: 2, width: 2))
        ).write(to: url)
        let norm = try #require(try ModelFile.read(from: url).model.layers[0] as? BatchNorm)
        #expect(norm.momentum == 0.9 && norm.epsilon == 1e-5)
        // A specification without them takes Keras's defaults, as files written before did.
        let old = try #require(try LayerSpecification(kind: .batchNorm).makeLayer() as? BatchNorm)
        #expect(old.momentum == 0.99 && old.epsilon == 1e-3)
    }
}

/// Sizes read from a file are checked before anything is allocated.
@Suite(.timeLimit(.minutes(10))) struct ModelLimitTests {
    @Test func oversizedLayersAndInputsAreRefusedBeforeAllocating() throws {
        let huge = ModelSpecification.dense([784, 10_000_000, 10])
        let dense = #expect(throws: ModelError.self) { try Sequential(specification: huge, seed: 1) }
        #expect(
            dense?.description
                == "invalid model: a dense layer's kernel of 784 x 10000000 values is over the limit of 134217728 "
                + "values a tensor (ModelLimits.maximumTensorValues)"
        )
        let input = ModelSpecification(
            inputSize: 1, inputShape: [100_000, 100_000, 100_000], layers: [LayerSpecification(kind: .flatten)])
        let overflow = #expect(throws: ModelError.self) { try Sequential(specification: input, seed: 1) }
        #expect(
            overflow?.description.contains("the model's input of 100000 x 100000 x 100000 values is over the limit")
                == true)
        let conv = ModelSpecification(
            inputSize: 784, inputShape: [28, 28, 1],
            layers: [LayerSpecification(kind: .conv2D, filters: 1_000_000_000, kernelSize: 3)])
        #expect(throws: ModelError.self) { try Sequential(specification: conv, seed: 1) }
        // The presets are far inside.
        for preset in Preset.all { _ = try Sequential(specification: preset.model, seed: 1) }
    }
}
