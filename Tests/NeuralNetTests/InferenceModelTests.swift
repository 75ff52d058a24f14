import Foundation
import NeuralNet
import NumericCore
import Testing

/// `Sequential.inferenceModel()`: batch norms folded into the layers beside them, dropout left
/// out, the same function as the model's inference mode.
@Suite(.timeLimit(.minutes(5))) struct InferenceModelTests {
    /// A preset's model with batch norms as training leaves them: scales of both signs (a
    /// negative one must not be moved past a ReLU or a max pooling), shifts, means and
    /// variances away from their starting values.
    static func model(_ name: String, seed: UInt64) throws -> Sequential {
        let preset = try #require(Preset.named(name))
        let model = try Sequential(specification: preset.model, seed: seed)
        var k = 0
        for norm in model.layers.compactMap({ $0 as? BatchNorm }) {
            for j in 0..<norm.gamma.value.count {
                k += 1
                let wave = Float(sin(Double(k) * 0.7))
                norm.gamma.value.pointer[j] = k % 5 == 0 ? -0.6 + 0.2 * wave : 0.8 + 0.5 * wave
                norm.beta.value.pointer[j] = 0.3 * Float(cos(Double(k) * 1.3))
                norm.movingMean.value.pointer[j] = 0.2 * Float(sin(Double(k) * 2.1))
                norm.movingVariance.value.pointer[j] = 0.5 + abs(wave)
            }
        }
        return model
    }

    static func images(_ count: Int, size: Int) -> Matrix {
        Matrix(rows: count, columns: size, values: (0..<(count * size)).map { Float(($0 * 7919) % 256) / 255 })
    }

    @Test(arguments: ["model3", "strong-mlp", "cnn-reference", "cnn-small", "cnn-best"])
    func computesTheModelsInferenceFunction(preset: String) throws {
        let model = try Self.model(preset, seed: 3)
        let folded = model.inferenceModel()
        let input = Self.images(6, size: model.inputSize)
        let expected = model(input).values
        let found = folded(input).values
        #expect(found.count == expected.count)
        let largest = zip(found, expected).map { abs($0 - $1) }.max() ?? .infinity
        // Probabilities of other products of the same numbers: equal to rounding, not bit for bit.
        #expect(largest < 2e-5, "largest difference \(largest)")
        // The predicted classes are the same.
        let classes = model.outputSize
        for row in 0..<6 {
            let slice = { (values: [Float]) in Array(values[(row * classes)..<((row + 1) * classes)]) }
            #expect(
                slice(found).firstIndex(of: slice(found).max()!)
                    == slice(expected).firstIndex(of: slice(expected).max()!))
        }
    }

    @Test func batchNormsAndDropoutLeaveTheStepsAndConvolutionsFuseWithTheirPooling() throws {
        let best = try Self.model("cnn-best", seed: 1)
        #expect(best.executionSteps.contains("batch_norm"))
        let steps = best.inferenceModel().executionSteps
        #expect(!steps.contains("batch_norm") && !steps.contains("dropout"), "\(steps)")
        #expect(steps.filter { $0 == "conv2d+max_pool2d+relu" }.count == 3, "\(steps)")

        // cnn-small: the batch norm before a padded convolution stays (the padding's zeros are
        // not normalised); the one before the dense layer is folded into it.
        let small = try Self.model("cnn-small", seed: 1).inferenceModel().executionSteps
        #expect(small.filter { $0 == "batch_norm" }.count == 1, "\(small)")
        #expect(!small.contains("dropout"))
    }

    @Test func foldedWeightsAreCopiesAndCopiesOfTheInferenceModelAgree() throws {
        let model = try Self.model("cnn-best", seed: 2)
        let folded = model.inferenceModel()
        let input = Self.images(3, size: model.inputSize)
        let before = folded(input).values
        // The original trained further (here: its weights changed) leaves the folded one alone.
        for parameter in model.parameters {
            for i in 0..<parameter.value.count { parameter.value.pointer[i] *= 1.5 }
        }
        #expect(folded(input).values == before)
        #expect(model(input).values != before)
        // Copies sharing the folded weights (one a thread) give the same bits, call after call.
        let copy = folded.sharingWeights()
        #expect(copy(input).values == before)
        #expect(copy(input).values == before)
    }
}
