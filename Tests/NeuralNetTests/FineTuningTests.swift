import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// Starting from a trained model: its weights copied where they fit, and the first epochs
/// training only the head.
@Suite(.timeLimit(.minutes(10))) struct FineTuningTests {
    /// Records every parameter's values at the end of each epoch.
    final class Snapshots: TrainingObserver {
        let model: Sequential
        var epochs: [[[Float]]] = []
        init(_ model: Sequential) { self.model = model }
        func trainingStarted(epochs: Int, stepsPerEpoch: Int) {}
        func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {}
        func epochEnded(_ record: EpochRecord, of epochs: Int) { self.epochs.append(model.snapshot()) }
        func note(_ message: String) {}
        func shouldStop(after record: EpochRecord) -> Bool { false }
    }

    @Test func weightsAreCopiedWhereTheyFitAndANewHeadIsLeftAsBuilt() throws {
        let trained = try smallModel(seed: 1)
        _ = try Trainer.fit(trained, on: blobs(count: 120, seed: 1), options: TrainingOptions(epochs: 2, seed: 1))

        // The same architecture: every layer copied, so it computes what the trained one does.
        let same = try smallModel(seed: 9)
        #expect(same.copyWeights(from: trained).isEmpty)
        #expect(same.snapshot() == trained.snapshot())

        // The same number of classes, but other ones: the head is left as drawn all the same.
        let renamed = try smallModel(seed: 9)
        let renamedDrawn = renamed.snapshot()
        #expect(renamed.copyWeights(from: trained, head: .fresh) == [2])
        #expect(renamed.snapshot()[0] == trained.snapshot()[0] && renamed.snapshot()[2] == renamedDrawn[2])

        // The same classes in another order: the head's outputs follow the new order.
        let reordered = try smallModel(seed: 9)
        #expect(reordered.copyWeights(from: trained, head: .reorder([2, 0, 1])).isEmpty)
        let input = Matrix(rows: 5, columns: 8, values: (0..<40).map { Float($0 % 7) / 7 })
        let trainedOutput = trained(input)
        let reorderedOutput = reordered(input)
        for row in 0..<5 {
            for (column, from) in [2, 0, 1].enumerated() {
                // Softmax sums the outputs in another order: equal to rounding.
                #expect(abs(reorderedOutput[row, column] - trainedOutput[row, from]) < 1e-6)
            }
        }

        // Four classes instead of three: the last dense layer stays as drawn from its seed.
        let other = try Sequential(inputSize: 8, seed: 9) {
            Dense(units: 16)
            ReLU()
            Dense(units: 4)
            Softmax()
        }
        let drawn = other.snapshot()
        #expect(other.copyWeights(from: trained) == [2])
        let after = other.snapshot()
        #expect(after[0] == trained.snapshot()[0] && after[1] == trained.snapshot()[1])
        #expect(after[2] == drawn[2] && after[3] == drawn[3])
        #expect(after[0] != drawn[0])
    }

    @Test func classesMapByNameWithoutCaseAndWithFoldersDashForASlash() {
        typealias Mapping = Sequential.HeadMapping
        #expect(Mapping(from: ["T-shirt/top", "Bag"], to: ["t-shirt-top", "bag"]) == .keep)
        #expect(
            Mapping(from: ["T-shirt/top", "Bag", "Coat"], to: ["Bag", "Coat", "T-shirt-top"]) == .reorder([1, 2, 0]))
        #expect(Mapping(from: ["a", "b"], to: ["a", "c"]) == .fresh)
        #expect(Mapping(from: ["a", "b"], to: ["a", "b", "c"]) == .fresh)
        #expect(Mapping(from: ["a", "A"], to: ["A", "a"]) == .fresh)
    }

    @Test func frozenEpochsTrainOnlyTheLastDenseLayerThenEveryLayer() throws {
        let model = try smallModel(seed: 3)
        let start = model.snapshot()
        let observer = Snapshots(model)
        var options = TrainingOptions(epochs: 3, batchSize: 16, seed: 2)
        options.frozenEpochs = 2
        _ = try Trainer.fit(model, on: blobs(count: 96, seed: 4), options: options, observer: observer)
        // Tensors 0 and 1 are the first dense layer's kernel and bias, 2 and 3 the head's.
        for epoch in 0..<2 {
            #expect(observer.epochs[epoch][0] == start[0] && observer.epochs[epoch][1] == start[1])
            #expect(observer.epochs[epoch][2] != start[2])
        }
        #expect(observer.epochs[2][0] != start[0])
        #expect(observer.epochs[2][2] != observer.epochs[1][2])
    }

    @Test func frozenEpochsMustBeFewerThanTheEpochs() {
        var options = TrainingOptions(epochs: 3)
        options.frozenEpochs = 3
        #expect(throws: ModelError.self) { try options.validate(hasValidation: false) }
        options.frozenEpochs = 2
        #expect(throws: Never.self) { try options.validate(hasValidation: false) }
    }
}
