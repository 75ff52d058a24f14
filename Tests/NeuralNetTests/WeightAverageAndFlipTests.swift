import Foundation
import NeuralNet
import NumericCore
import Testing

/// Recordings of the weights after every optimiser step.
private final class StepRecorder: TrainingObserver {
    let model: Sequential
    var snapshots: [[[Float]]] = []
    init(model: Sequential) { self.model = model }
    func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {
        snapshots.append(model.snapshot())
    }
}

@Suite(.timeLimit(.minutes(10))) struct WeightAverageAndFlipTests {
    static func data() -> InMemoryData {
        var images = [Float]()
        for i in 0..<40 { for p in 0..<6 { images.append(Float((p * 5 + i * 3) % 7) / 7) } }
        return InMemoryData(features: images, labels: (0..<40).map { $0 % 3 }, featureCount: 6)
    }

    /// Two 2x3 images of 2 channels; pixel (y, x) holds (10y + x, -(10y + x)) plus 100 for the
    /// second image; `mirrored` reads column 2 - x instead of x.
    static func pixels(mirrored: Bool) -> [Float] {
        var values = [Float]()
        for i in 0..<2 {
            for y in 0..<2 {
                for x in 0..<3 {
                    let v = Float(100 * i + 10 * y + (mirrored ? 2 - x : x))
                    values += [v, -v]
                }
            }
        }
        return values
    }

    static func model() throws -> Sequential {
        try Sequential(inputShape: [2, 3, 1], seed: 3) {
            Flatten()
            Dense(units: 4)
            ReLU()
            Dense(units: 3)
            Softmax()
        }
    }

    @Test func theModelEndsWithTheMovingAverageOfTheWeightsItWentThrough() throws {
        // Without an average, record the weights after every step (3 epochs of 5 steps)...
        let plain = try Self.model()
        let recorder = StepRecorder(model: plain)
        var options = TrainingOptions(epochs: 3, batchSize: 8, seed: 5)
        var average = plain.snapshot()
        _ = try Trainer.fit(plain, on: Self.data(), options: options, observer: recorder)
        #expect(recorder.snapshots.count == 15)
        for (step, weights) in recorder.snapshots.enumerated() {
            let d = min(Float(0.9), Float(1 + step) / Float(10 + step))
            for t in average.indices {
                for j in average[t].indices { average[t][j] += (1 - d) * (weights[t][j] - average[t][j]) }
            }
        }
        // ...then the same training with the average ends with exactly that average, which
        // means the live weights went on between epochs as if there were no average.
        let averaged = try Self.model()
        options.ema = 0.9
        _ = try Trainer.fit(averaged, on: Self.data(), options: options)
        let found = averaged.snapshot()
        #expect(found != recorder.snapshots.last!, "the average is not the last weights")
        for t in found.indices { for j in found[t].indices { #expect(abs(found[t][j] - average[t][j]) <= 1e-6) } }
    }

    @Test func aDecayOutsideZeroToOneIsRefused() throws {
        for decay in [0.0, 1.0, -0.5, 1.5] {
            #expect(throws: ModelError.self) {
                try Trainer.fit(try Self.model(), on: Self.data(), options: TrainingOptions(epochs: 1, ema: decay))
            }
        }
    }

    @Test func mirrorSwapsLeftAndRightOfEveryImageKeepingChannelsTogether() {
        let batch = Matrix(rows: 2, columns: 12, values: Self.pixels(mirrored: false))
        let out = Matrix(rows: 0, columns: 0)
        Augmentation.mirror(batch, shape: [2, 3, 2], into: out)
        #expect(out.values == Self.pixels(mirrored: true))
    }

    @Test func flipAveragingMeansTheProbabilitiesOfEachImageAndItsMirror() throws {
        let model = try Self.model()
        let data = Self.data()
        let plain = Trainer.predict(model, on: data)
        var mirroredFeatures = [Float]()
        for i in 0..<data.count {
            for y in 0..<2 { for x in 0..<3 { mirroredFeatures.append(data.features[i * 6 + y * 3 + (2 - x)]) } }
        }
        let mirrored = Trainer.predict(
            model, on: InMemoryData(features: mirroredFeatures, labels: data.labels, featureCount: 6))
        let averaged = Trainer.predict(model, on: data, flipAveraging: true)
        #expect(plain != averaged)
        for i in plain.indices { #expect(abs(averaged[i] - (plain[i] + mirrored[i]) / 2) <= 1e-6) }
        // Evaluation scores the same averaged probabilities.
        let scores = Trainer.evaluate(model, on: data, flipAveraging: true)
        var loss = 0.0
        var correct = 0
        for i in 0..<data.count {
            let p: [Double] = averaged[(i * 3)..<(i * 3 + 3)].map { Double($0) }
            let label = data.labels[i]
            loss -= log(p[label])
            let best = p[0] >= p[1] ? (p[0] >= p[2] ? 0 : 2) : (p[1] >= p[2] ? 1 : 2)
            if best == label { correct += 1 }
        }
        #expect(abs(scores.loss - loss / Double(data.count)) <= 1e-5)
        #expect(scores.accuracy == Double(correct) / Double(data.count))
    }

    @Test func flipAveragingNeedsAModelOfImages() throws {
        let flat = try Sequential(inputSize: 6, seed: 1) {
            Dense(units: 3)
            Softmax()
        }
        #expect(throws: ModelError.self) {
            try Trainer.fit(flat, on: Self.data(), options: TrainingOptions(epochs: 1, flipAveraging: true))
        }
    }
}
