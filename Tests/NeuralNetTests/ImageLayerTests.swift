import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// Conv2D, pooling and image batch normalisation: gradient checks, and the fast paths
/// against the plain-loop twins in `ReferenceImageLayers`.
@Suite(.timeLimit(.minutes(10))) struct ImageLayerTests {
    static let tolerance = 1e-2

    /// The copy Winograd's input gradient makes of the transformed kernel: blocks of 8 x 8 in
    /// registers and the edges one at a time, the plain loop's values (run at every kernel level).
    @Test(arguments: [(1, 1), (8, 8), (13, 21), (32, 64), (64, 9)])
    func theTransposedCopyIsThePlainLoop(rows: Int, columns: Int) {
        let stride = columns + 3
        let source = (0..<(rows * stride)).map { Float($0) * 0.25 - 7 }
        var target = [Float](repeating: .nan, count: rows * columns)
        source.withUnsafeBufferPointer { from in
            target.withUnsafeMutableBufferPointer {
                Kernels.transpose(
                    from.baseAddress!, rows: rows, columns: columns, rowStride: stride, into: $0.baseAddress!)
            }
        }
        var expected = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { expected[c * rows + r] = source[r * stride + c] }
        }
        #expect(target == expected)
    }

    func built<L: Layer>(_ layer: L, shape: [Int], seed: UInt64 = 3) throws -> (L, [Int]) {
        var generator = SeededGenerator(seed: seed)
        let out = try layer.build(inputShape: shape, generator: &generator)
        return (layer, out)
    }

    // (height, width, channels, filters, kernel, stride, same)
    static let convolutionShapes = [
        (5, 5, 1, 2, 3, 1, false), (6, 5, 2, 3, 3, 2, true), (4, 4, 3, 2, 1, 1, false), (7, 6, 2, 4, 3, 2, false),
        (5, 4, 1, 3, 2, 1, true),
        // Eight channels or more at stride 1: the shifted products (valid, same, 5x5, 2x2, 1x1).
        (5, 6, 8, 3, 3, 1, false), (6, 5, 9, 4, 3, 1, true), (7, 7, 8, 2, 5, 1, true), (4, 5, 8, 3, 2, 1, true),
        (3, 4, 10, 2, 1, 1, false),
    ]

    @Test(arguments: convolutionShapes)
    func convolutionGradients(shape: (Int, Int, Int, Int, Int, Int, Bool)) throws {
        let (h, w, c, f, k, s, same) = shape
        let (layer, _) = try built(
            Conv2D(filters: f, kernelSize: k, stride: s, padding: same ? .same : .valid), shape: [h, w, c])
        for i in 0..<f { layer.bias.value.pointer[i] = Float(i) * 0.1 - 0.1 }
        #expect(layer.usesShiftedProducts == (c >= 8 && s == 1 && k != 3))
        #expect(layer.usesWinograd == (c >= 8 && s == 1 && k == 3))
        let outcome = GradientCheck.check(layer, input: GradientCheck.randomInput(rows: 2, columns: h * w * c, seed: 4))
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
    }

    @Test(arguments: convolutionShapes)
    func convolutionMatchesTheDirectLoops(shape: (Int, Int, Int, Int, Int, Int, Bool)) throws {
        let (h, w, c, f, k, s, same) = shape
        let (layer, out) = try built(
            Conv2D(filters: f, kernelSize: k, stride: s, padding: same ? .same : .valid), shape: [h, w, c])
        for i in 0..<f { layer.bias.value.pointer[i] = Float(i) - 1 }
        #expect(layer.usesShiftedProducts == (c >= 8 && s == 1 && k != 3))
        #expect(layer.usesWinograd == (c >= 8 && s == 1 && k == 3))
        let input = GradientCheck.randomInput(rows: 3, columns: h * w * c, seed: 6)
        let fast = layer.forward(input, training: true).values
        let slow = ReferenceImageLayers.convolution(
            input.values, batch: 3, height: h, width: w, channels: c, kernel: layer.kernel.value.values,
            bias: layer.bias.value.values, filters: f, kernelSize: k, stride: s, same: same)
        #expect(out == [slow.height, slow.width, f])
        #expect(fast.count == slow.output.count)
        #expect(zip(fast, slow.output).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    // (height, width, channels, filters, same, batch): odd and even outputs, several images a
    // product (small tiles), more than 32 filters (two column blocks), channels off the vector width.
    static let winogradShapes = [
        (13, 13, 32, 40, false, 3), (14, 14, 16, 8, true, 2), (7, 7, 9, 5, true, 5), (6, 9, 8, 33, false, 2),
        (5, 4, 12, 3, true, 4),
    ]

    /// Winograd F(2x2, 3x3) and the shifted products (its twin) against the plain loops,
    /// forward and backward, and the same bits on one and two threads.
    @Test(arguments: winogradShapes)
    func winogradMatchesTheLoopsAndTheShiftedProducts(shape: (Int, Int, Int, Int, Bool, Int)) throws {
        let (h, w, c, f, same, batch) = shape
        let input = GradientCheck.randomInput(rows: batch, columns: h * w * c, seed: 21)
        let outSize = (same ? h * w : (h - 2) * (w - 2)) * f
        var generator = SeededGenerator(seed: 22)
        let dy = (0..<(batch * outSize)).map { _ in generator.nextUnitFloat() - 0.5 }
        func run(winograd: Bool, threads: Int) throws -> (layer: Conv2D, y: [Float], dx: [Float], dk: [Float]) {
            Compute.setThreads(threads)
            defer { Compute.setThreads(1) }
            let (layer, out) = try built(
                Conv2D(filters: f, kernelSize: 3, padding: same ? .same : .valid), shape: [h, w, c], seed: 9)
            layer.prefersWinograd = winograd
            #expect(layer.usesWinograd == winograd)
            #expect(layer.usesShiftedProducts == !winograd)
            #expect(out.reduce(1, *) == outSize)
            for i in 0..<f { layer.bias.value.pointer[i] = Float(i) * 0.05 - 0.1 }
            let y = layer.forward(input, training: true).values
            let gradient = Matrix(rows: batch, columns: outSize, values: dy)
            let dx = try #require(layer.backward(gradient, needsInputGradient: true)).values
            return (layer, y, dx, layer.kernel.gradient.values)
        }
        let (layer, y, dx, dk) = try run(winograd: true, threads: 1)
        let forward = ReferenceImageLayers.convolution(
            input.values, batch: batch, height: h, width: w, channels: c, kernel: layer.kernel.value.values,
            bias: layer.bias.value.values, filters: f, kernelSize: 3, stride: 1, same: same)
        let backward = ReferenceImageLayers.convolutionGradients(
            input.values, outputGradient: dy, batch: batch, height: h, width: w, channels: c,
            kernel: layer.kernel.value.values, filters: f, kernelSize: 3, same: same)
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            let scale = max(1, b.map { abs($0) }.max() ?? 0)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(a.count == b.count && worst < 2e-5 * scale, "\(what): worst \(worst) of \(scale)")
        }
        close(y, forward.output, "output")
        close(dk, backward.kernel, "kernel gradient")
        close(dx, backward.input, "input gradient")
        let shifted = try run(winograd: false, threads: 1)
        close(shifted.y, forward.output, "shifted output")
        close(shifted.dk, backward.kernel, "shifted kernel gradient")
        close(shifted.dx, backward.input, "shifted input gradient")
        let twoThreads = try run(winograd: true, threads: 2)
        #expect(twoThreads.y == y && twoThreads.dx == dx && twoThreads.dk == dk)
    }

    @Test func keepsKerasOutputSizes() throws {
        #expect(try built(Conv2D(filters: 32, kernelSize: 3), shape: [28, 28, 1]).1 == [26, 26, 32])
        #expect(try built(Conv2D(filters: 8, kernelSize: 3, padding: .same), shape: [28, 28, 1]).1 == [28, 28, 8])
        #expect(
            try built(Conv2D(filters: 8, kernelSize: 3, stride: 2, padding: .same), shape: [28, 28, 1]).1 == [
                14, 14, 8,
            ])
        #expect(try built(Pool2D(.max), shape: [26, 26, 32]).1 == [13, 13, 32])
        #expect(try built(Pool2D(.max), shape: [11, 11, 64]).1 == [5, 5, 64])
        #expect(try built(Pool2D(.average, padding: .same), shape: [11, 11, 4]).1 == [6, 6, 4])
        #expect(try built(GlobalAveragePool(), shape: [7, 7, 16]).1 == [16])
        #expect(throws: ModelError.self) { try built(Conv2D(filters: 4, kernelSize: 5), shape: [3, 3, 1]) }
        #expect(throws: ModelError.self) { try built(Conv2D(filters: 4, kernelSize: 3), shape: [784]) }
    }

    @Test(arguments: [Pool2D.Mode.max, .average])
    func poolingMatchesTheLoopsAndItsGradientChecks(mode: Pool2D.Mode) throws {
        let (layer, _) = try built(Pool2D(mode, poolSize: 2), shape: [6, 5, 3])
        let input = GradientCheck.randomInput(rows: 2, columns: 90, seed: 12)
        let fast = layer.forward(input, training: true).values
        let slow = ReferenceImageLayers.pool(
            input.values, batch: 2, height: 6, width: 5, channels: 3, size: 2, stride: 2, max: mode == .max)
        #expect(fast == slow)
        // Random inputs have no ties, so max pooling is differentiable where we probe it.
        let outcome = GradientCheck.check(layer, input: input, step: 1e-3)
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
        let overlapping = try built(Pool2D(mode, poolSize: 3, stride: 2, padding: .same), shape: [5, 5, 2]).0
        let check = GradientCheck.check(
            overlapping, input: GradientCheck.randomInput(rows: 2, columns: 50, seed: 13), step: 1e-3)
        #expect(check.passes(tolerance: Self.tolerance), "worst \(check.worstError) at \(check.worstName)")
    }

    /// Max pooling whose windows tile the image sets each covered input's gradient and clears
    /// the rows and columns no window covers, even in a buffer that held an earlier gradient.
    @Test func tiledMaxPoolingBackwardClearsWhatNoWindowCovers() throws {
        let (reused, _) = try built(Pool2D(.max), shape: [5, 7, 3])
        let (fresh, _) = try built(Pool2D(.max), shape: [5, 7, 3])
        let input = GradientCheck.randomInput(rows: 2, columns: 105, seed: 14)
        _ = reused.forward(input, training: true)
        _ = fresh.forward(input, training: true)
        let first = Matrix(rows: 2, columns: 18, repeating: 5)
        _ = reused.backward(first, needsInputGradient: true)
        let second = GradientCheck.randomInput(rows: 2, columns: 18, seed: 15)
        let again = reused.backward(second, needsInputGradient: true)!.values
        let expected = fresh.backward(second, needsInputGradient: true)!.values
        #expect(again == expected)
        // Row 4 and column 6 are in no window; each window passes its gradient to one input.
        for b in 0..<2 {
            for x in 0..<7 { #expect((0..<3).allSatisfy { again[b * 105 + (4 * 7 + x) * 3 + $0] == 0 }) }
            for y in 0..<5 { #expect((0..<3).allSatisfy { again[b * 105 + (y * 7 + 6) * 3 + $0] == 0 }) }
        }
        #expect(again.filter { $0 != 0 }.count == 2 * 18)
        // `same` padding on an odd size: the last windows reach past the image (not the tiled path).
        let (padded, paddedShape) = try built(Pool2D(.max, padding: .same), shape: [5, 7, 3])
        #expect(paddedShape == [3, 4, 3])
        let check = GradientCheck.check(padded, input: input, step: 1e-3)
        #expect(check.passes(tolerance: Self.tolerance), "worst \(check.worstError) at \(check.worstName)")
        let reference = ReferenceImageLayers.pool(
            input.values, batch: 2, height: 5, width: 7, channels: 3, size: 2, stride: 2, max: true)
        #expect(reused.forward(input, training: true).values == reference)
    }

    @Test func globalAveragePoolingGradientAndValues() throws {
        let (layer, _) = try built(GlobalAveragePool(), shape: [2, 2, 2])
        let input = Matrix(rows: 1, columns: 8, values: [1, 10, 2, 20, 3, 30, 4, 40])
        #expect(layer.forward(input, training: false).values == [2.5, 25])
        let outcome = GradientCheck.check(layer, input: GradientCheck.randomInput(rows: 3, columns: 8, seed: 2))
        #expect(outcome.passes(tolerance: Self.tolerance))
    }

    @Test func batchNormOnImagesNormalisesEachChannelOverPixelsAndBatch() throws {
        let (layer, shape) = try built(BatchNorm(momentum: 0), shape: [2, 2, 2])
        #expect(shape == [2, 2, 2] && layer.gamma.value.count == 2)
        let input = Matrix(
            rows: 2, columns: 8, values: [1, 100, 2, 200, 3, 300, 4, 400, 5, 500, 6, 600, 7, 700, 8, 800])
        let out = layer.forward(input, training: true).values
        let channel0 = stride(from: 0, to: 16, by: 2).map { out[$0] }
        let channel1 = stride(from: 1, to: 16, by: 2).map { out[$0] }
        #expect(abs(channel0.reduce(0, +)) < 1e-4 && abs(channel1.reduce(0, +)) < 1e-3)
        #expect(zip(channel0, channel1).allSatisfy { abs($0 - $1) < 1e-3 }, "both channels are the same up to scale")
        #expect(abs(layer.movingMean.value[0, 0] - 4.5) < 1e-5 && abs(layer.movingMean.value[0, 1] - 450) < 1e-3)
        for i in 0..<2 {
            layer.gamma.value.pointer[i] = 0.7 + Float(i)
            layer.beta.value.pointer[i] = 0.2
        }
        let outcome = GradientCheck.check(layer, input: GradientCheck.randomInput(rows: 3, columns: 8, seed: 21))
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
    }

    @Test func residualBlockGradientsAndShapes() throws {
        let (block, shape) = try built(
            Residual {
                Conv2D(filters: 2, kernelSize: 3, padding: .same)
                BatchNorm()
                Tanh()
                Conv2D(filters: 2, kernelSize: 3, padding: .same)
            }, shape: [4, 4, 2])
        #expect(shape == [4, 4, 2] && block.parameters.count == 6)
        // Tanh, not ReLU, in the body: batch norm puts many values near 0, where a ReLU kink would spoil
        // central differences.
        let outcome = GradientCheck.check(block, input: GradientCheck.randomInput(rows: 2, columns: 32, seed: 17))
        #expect(outcome.passes(tolerance: Self.tolerance), "worst \(outcome.worstError) at \(outcome.worstName)")
        // output = input + body(input): with a body that outputs zeros, the block is the identity.
        let (identity, _) = try built(Residual { Dense(units: 3, initializer: .glorotUniform) }, shape: [3])
        for parameter in identity.parameters { parameter.value.fill(0) }
        let input = Matrix(rows: 1, columns: 3, values: [1, -2, 3])
        #expect(identity.forward(input, training: false).values == [1, -2, 3])
        #expect(throws: ModelError.self) {
            try built(Residual { Conv2D(filters: 3, kernelSize: 3) }, shape: [5, 5, 2])
        }
        // It round-trips through its specification.
        let model = try Sequential(inputShape: [4, 4, 2], seed: 2) {
            block
            Flatten()
            Dense(units: 2)
            Softmax()
        }
        #expect(try Sequential(specification: model.specification, seed: 2).snapshot() == model.snapshot())
    }

    @Test func aConvolutionalNetworkTrainsToTheSameWeightsOnOneAndTwoThreads() throws {
        var generator = SeededGenerator(seed: 5)
        let features = (0..<(256 * 784)).map { _ in generator.nextUnitFloat() }
        let data = InMemoryData(features: features, labels: (0..<256).map { $0 % 10 }, featureCount: 784)
        func train(threads: Int) throws -> [[Float]] {
            let model = try Sequential(inputShape: [28, 28, 1], seed: 3) {
                Conv2D(filters: 40, kernelSize: 3)  // batch norm of 40 channels: 16, 16 and 8, split over threads
                BatchNorm()
                ReLU()
                Pool2D(.max)
                Conv2D(filters: 8, kernelSize: 3, padding: .same)
                ReLU()
                Pool2D(.average)
                Flatten()
                Dense(units: 10)
                Softmax()
            }
            let options = TrainingOptions(
                epochs: 1, batchSize: 64, seed: 4,
                augmentation: Augmentation(cropPadding: 2, flipProbability: 0.5, erasingProbability: 0.5))
            _ = try Trainer.fit(model, on: data, options: options, threads: threads)
            return model.snapshot()
        }
        #expect(try train(threads: 1) == (try train(threads: 2)))
    }

    @Test func aSmallConvolutionalNetworkBuildsAndSummarises() throws {
        let model = try Sequential(inputShape: [28, 28, 1], seed: 1) {
            Conv2D(filters: 32, kernelSize: 3)
            ReLU()
            Pool2D(.max)
            Conv2D(filters: 64, kernelSize: 3)
            ReLU()
            Pool2D(.max)
            Flatten()
            Dense(units: 128)
            ReLU()
            Dropout(rate: 0.5)
            Dense(units: 10)
            Softmax()
        }
        // Keras's count for this network: 320 + 18,496 + 204,928 + 1,290.
        #expect(model.parameterCount == 225_034)
        #expect(
            model.summary.contains("(None, 26, 26, 32)") && model.summary.contains("(None, 5, 5, 64)")
                && model.summary.contains("(None, 1600)"))
        let spec = model.specification
        #expect(spec.inputShape == [28, 28, 1])
        let rebuilt = try Sequential(specification: spec, seed: 1)
        #expect(rebuilt.snapshot() == model.snapshot())
    }
}

@Suite(.timeLimit(.minutes(10))) struct OutlineTests {
    @Test func outlinesNameTheShapingLayers() {
        #expect(ModelSpecification.referenceCNN.outline == "28x28x1-C32k3-P2-C64k3-P2-128-10")
        #expect(ModelSpecification.dense([784, 128, 64, 10]).outline == "784-128-64-10")
        #expect(ModelSpecification.strongMLP.outline == "784-512-256-10")
    }
}

/// Sequential runs a ReLU followed by a max pooling the other way round (the ReLU then sees a
/// quarter of the values); nothing a user sees may change by a bit. (Eight channels and 5x5 and
/// 2x2 kernels: the convolutions run alone, not fused with their poolings as ones that gather
/// windows or run Winograd are.)
@Suite(.timeLimit(.minutes(10))) struct ReLUPoolOrderTests {
    static func model() throws -> Sequential {
        try Sequential(inputShape: [10, 10, 8], seed: 5) {
            Conv2D(filters: 8, kernelSize: 5, padding: .same)
            ReLU()
            Pool2D(.max)
            Conv2D(filters: 6, kernelSize: 2)
            ReLU()
            Pool2D(.max)
            Flatten()
            Dense(units: 3)
            Softmax()
        }
    }

    @Test func theSwappedOrderGivesTheSameBitsForwardAndBackward() throws {
        let swapped = try Self.model()
        let declared = try Self.model()
        #expect(Sequential.executionOrder(swapped.layers) == [0, 2, 1, 3, 5, 4, 6, 7, 8])
        var generator = SeededGenerator(seed: 9)
        // Values around zero, and whole windows at or below it, where ReLU and pooling meet.
        let values = (0..<(8 * 800)).map { i in i % 7 == 0 ? 0 : generator.nextFloat(in: -1, 1) }
        let input = Matrix(rows: 8, columns: 800, values: values)
        let logits = swapped.logits(input, training: true)
        var x = input
        for layer in declared.layers.dropLast() { x = layer.forward(x, training: true) }
        #expect(logits.values.map(\.bitPattern) == x.values.map(\.bitPattern))

        let seed = Matrix(rows: 8, columns: 3, values: (0..<24).map { _ in generator.nextFloat(in: -1, 1) })
        let inputGradient = swapped.backward(fromLogits: seed, needsInputGradient: true)
        var g = seed
        for layer in declared.layers.dropLast().reversed() { g = layer.backward(g, needsInputGradient: true)! }
        #expect(inputGradient?.values.map(\.bitPattern) == g.values.map(\.bitPattern))
        for (a, b) in zip(swapped.parameters, declared.parameters) {
            #expect(a.gradient.values.map(\.bitPattern) == b.gradient.values.map(\.bitPattern), "\(a.name)")
        }
        // Inference too.
        let probabilities = swapped(input)
        var y = input
        for layer in declared.layers { y = layer.forward(y, training: false) }
        #expect(probabilities.values.map(\.bitPattern) == y.values.map(\.bitPattern))
    }

    @Test func onlyAReLUBeforeAMaxPoolMoves() throws {
        let model = try Sequential(inputShape: [8, 8, 1], seed: 1) {
            Conv2D(filters: 2, kernelSize: 3)
            Tanh()
            Pool2D(.max)
            ReLU()
            Pool2D(.average)
            Flatten()
            Dense(units: 2)
            ReLU()
        }
        #expect(Sequential.executionOrder(model.layers) == Array(0..<8))
    }
}
