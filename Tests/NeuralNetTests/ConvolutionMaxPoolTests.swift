import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// A convolution that gathers windows and the 2x2 max pooling after it run as one step
/// (`ConvolutionMaxPool`): against the same layers run one by one, and the same bits on one
/// and two threads.
@Suite(.timeLimit(.minutes(10))) struct ConvolutionMaxPoolTests {
    /// (height, width, channels, filters, kernel size, stride, same, batch)
    static let shapes = [
        (28, 28, 1, 32, 3, 1, false, 20),  // the reference CNN's first layer: 26 -> 13
        (12, 12, 1, 48, 3, 1, true, 3),  // one channel 3x3, 48 filters: windows four at a time and alone, 12 -> 6
        (10, 9, 3, 16, 5, 1, true, 3),  // same, 5x5, three channels, 16 filters: summed in registers, 9 -> 4
        (8, 8, 3, 5, 3, 1, true, 3),  // same padding, 8 -> 4, filters no multiple of the vector width
        (9, 7, 2, 4, 5, 1, false, 17),  // 5 -> 2 and 3 -> 1: a row and a column no window covers
        (11, 11, 1, 6, 3, 2, true, 4),  // stride 2: windows gathered (im2col), 6 -> 3
        (13, 13, 8, 16, 3, 1, false, 5),  // Winograd: 11 -> 5, the last row and column of tiles no window
        (14, 14, 9, 20, 3, 1, true, 17),  // Winograd, same: 14 -> 7, two chunks of images
    ]

    /// The pair with a ReLU before the pooling (run after it, in the step) or a tanh after it.
    static func model(_ shape: (Int, Int, Int, Int, Int, Int, Bool, Int), rectified: Bool) throws -> Sequential {
        let (h, w, c, f, k, s, same, _) = shape
        return try Sequential(inputShape: [h, w, c], seed: 7) {
            Conv2D(filters: f, kernelSize: k, stride: s, padding: same ? .same : .valid)
            if rectified { ReLU() }
            Pool2D(.max)
            if !rectified { Tanh() }
            Flatten()
            Dense(units: 3)
            Softmax()
        }
    }

    @Test(arguments: shapes, [true, false])
    func theFusedStepMatchesTheLayersOneByOne(shape: (Int, Int, Int, Int, Int, Int, Bool, Int), rectified: Bool)
        throws
    {
        let (h, w, c, _, _, _, _, batch) = shape
        var generator = SeededGenerator(seed: 11)
        // Random images, and a blank one: there every window is a tie (each pixel gets the gradient).
        let values = (0..<(batch * h * w * c)).map { i in i < h * w * c ? 0 : generator.nextFloat(in: -1, 1) }
        let input = Matrix(rows: batch, columns: h * w * c, values: values)
        let seed = Matrix(
            rows: batch, columns: 3, values: (0..<(batch * 3)).map { _ in generator.nextFloat(in: -1, 1) })
        func run(threads: Int, inputGradient: Bool = true) throws -> (
            logits: [Float], dx: [Float], gradients: [[Float]], steps: [String]
        ) {
            Compute.setThreads(threads)
            defer { Compute.setThreads(1) }
            let model = try Self.model(shape, rectified: rectified)
            // A positive bias, so that the blank image's ties pass the ReLU.
            let bias = try #require(model.layers[0] as? Conv2D).bias.value
            for o in 0..<bias.count { bias.pointer[o] = 0.05 + Float(o) * 0.01 }
            let logits = model.logits(input, training: true).values
            let dx = model.backward(fromLogits: seed, needsInputGradient: inputGradient)?.values ?? []
            return (logits, dx, model.parameters.map(\.gradient.values), model.executionSteps)
        }
        let fused = try run(threads: 1)
        #expect(
            fused.steps
                == (rectified ? ["conv2d+max_pool2d+relu"] : ["conv2d+max_pool2d", "tanh"]) + [
                    "flatten", "dense", "softmax",
                ])

        // The same layers, one by one in the declared order.
        let layers = try Self.model(shape, rectified: rectified)
        let bias = try #require(layers.layers[0] as? Conv2D).bias.value
        for o in 0..<bias.count { bias.pointer[o] = 0.05 + Float(o) * 0.01 }
        var x = input
        for layer in layers.layers.dropLast() { x = layer.forward(x, training: true) }
        var g = seed
        for layer in layers.layers.dropLast().reversed() {
            g = try #require(layer.backward(g, needsInputGradient: true))
        }
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            let scale = max(1, b.map { abs($0) }.max() ?? 0)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(a.count == b.count && worst < 1e-5 * scale, "\(what): worst \(worst) of \(scale)")
        }
        close(fused.logits, x.values, "logits")
        // Winograd's fused forward is the layers' arithmetic, so the same bits.
        if c >= 8 && shape.4 == 3 && shape.5 == 1 { #expect(fused.logits == x.values) }
        close(fused.dx, g.values, "input gradient")
        for (index, parameter) in layers.parameters.enumerated() {
            close(fused.gradients[index], parameter.gradient.values, "gradient \(index) \(parameter.name)")
        }
        // The blank image's input gradient is not zero: its tied windows passed their gradients on.
        #expect(fused.dx[0..<(h * w * c)].contains { $0 != 0 })

        let twoThreads = try run(threads: 2)
        #expect(twoThreads.logits == fused.logits && twoThreads.dx == fused.dx)
        #expect(twoThreads.gradients == fused.gradients)

        // As a first layer: no input gradient (the step may then sum its kernel gradient another way).
        let first = try run(threads: 1, inputGradient: false)
        for (index, parameter) in layers.parameters.enumerated() {
            close(first.gradients[index], parameter.gradient.values, "first layer: gradient \(index) \(parameter.name)")
        }
        #expect(try run(threads: 2, inputGradient: false).gradients == first.gradients)
    }

    /// Only a convolution that gathers windows or runs Winograd, right before a 2x2 max pooling
    /// that tiles its output, is fused; the rest run alone.
    @Test func onlyAPairThatTilesIsFused() throws {
        let model = try Sequential(inputShape: [12, 12, 1], seed: 1) {
            Conv2D(filters: 8, kernelSize: 3, padding: .same)
            ReLU()
            Pool2D(.max)  // fused with the convolution: 12 -> 6
            Conv2D(filters: 8, kernelSize: 3, padding: .same)  // 8 channels: Winograd, fused
            Pool2D(.max)
            Conv2D(filters: 4, kernelSize: 3, stride: 1, padding: .same)  // Winograd
            Pool2D(.max, poolSize: 3)  // not 2x2
            Conv2D(filters: 4, kernelSize: 1)  // 1x1: shifted products
            Flatten()
            Dense(units: 2)
        }
        #expect(
            model.executionSteps == [
                "conv2d+max_pool2d+relu", "conv2d+max_pool2d", "conv2d", "max_pool2d", "conv2d", "flatten", "dense",
            ])
        let average = try Sequential(inputShape: [8, 8, 1], seed: 1) {
            Conv2D(filters: 2, kernelSize: 3, padding: .same)
            Pool2D(.average)
            Conv2D(filters: 2, kernelSize: 3, padding: .same)
            Pool2D(.max, padding: .same)  // 4x4 of two channels: fused
            ReLU()  // the last layer: alone
        }
        #expect(average.executionSteps == ["conv2d", "avg_pool2d", "conv2d+max_pool2d", "relu"])
    }

    /// A Winograd layer switched to its twin after the model planned its steps: the step runs
    /// the layers one by one, and gives their bits.
    @Test func aWinogradLayerSwitchedOffRunsTheLayersAlone() throws {
        let shape = (10, 10, 8, 8, 3, 1, true, 3)
        let input = GradientCheck.randomInput(rows: 3, columns: 800, seed: 4)
        let seed = GradientCheck.randomInput(rows: 3, columns: 3, seed: 5)
        let model = try Self.model(shape, rectified: true)
        let layers = try Self.model(shape, rectified: true)
        for m in [model, layers] { try #require(m.layers[0] as? Conv2D).prefersWinograd = false }
        let logits = model.logits(input, training: true).values
        let dx = try #require(model.backward(fromLogits: seed, needsInputGradient: true)).values
        var x = input
        for layer in layers.layers.dropLast() { x = layer.forward(x, training: true) }
        var g = seed
        for layer in layers.layers.dropLast().reversed() {
            g = try #require(layer.backward(g, needsInputGradient: true))
        }
        #expect(logits == x.values && dx == g.values)
        #expect(model.parameters.map(\.gradient.values) == layers.parameters.map(\.gradient.values))
    }
}
