import NeuralNet
import NumericCore
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct AugmentationTests {
    static let all = Augmentation(cropPadding: 2, flipProbability: 0.5, erasingProbability: 0.5)

    /// Image `i` is 5x4 with every pixel `i + 1` except a marker column, so rows can be told apart.
    func batch(images: Int = 16, height: Int = 5, width: Int = 4) -> Matrix {
        let m = Matrix(rows: images, columns: height * width)
        for i in 0..<images { for p in 0..<(height * width) { m.pointer[i * height * width + p] = Float(i + 1) } }
        return m
    }

    @Test func theSameSeedGivesTheSameImagesAndAnotherSeedOthers() {
        let a = batch()
        let b = batch()
        let c = batch()
        var g1 = SeededGenerator(seed: 9)
        var g2 = SeededGenerator(seed: 9)
        var g3 = SeededGenerator(seed: 10)
        Self.all.apply(to: a, shape: [5, 4, 1], generator: &g1)
        Self.all.apply(to: b, shape: [5, 4, 1], generator: &g2)
        Self.all.apply(to: c, shape: [5, 4, 1], generator: &g3)
        #expect(a.values == b.values)
        #expect(a.values != c.values)
        #expect(a.values != batch().values, "something changed")
    }

    @Test func threadsChangeTheSameImagesAsOneThread() {
        let one = batch(images: 64)
        let two = batch(images: 64)
        var g1 = SeededGenerator(seed: 5)
        var g2 = SeededGenerator(seed: 5)
        Self.all.apply(to: one, shape: [5, 4, 1], generator: &g1)
        Self.all.apply(to: two, shape: [5, 4, 1], generator: &g2, runner: ParallelRunner(threads: 2))
        #expect(one.values == two.values)
        #expect(g1.nextUnitFloat() == g2.nextUnitFloat(), "the same draws were made")
    }

    @Test func everyImageStaysInItsRowWithItsLabel() {
        let m = batch(images: 64)
        var generator = SeededGenerator(seed: 4)
        Self.all.apply(to: m, shape: [5, 4, 1], generator: &generator)
        for i in 0..<64 {
            let row = Array(m.values[(i * 20)..<((i + 1) * 20)])
            #expect(row.allSatisfy { $0 == 0 || $0 == Float(i + 1) }, "row \(i): \(row)")
            #expect(row.contains(Float(i + 1)), "row \(i) lost its image")
        }
    }

    @Test func flipMirrorsAndCropShiftsAsStated() {
        // One image 1x3 with values 1, 2, 3: a flip alone gives 3, 2, 1.
        let m = Matrix(rows: 1, columns: 3, values: [1, 2, 3])
        var generator = SeededGenerator(seed: 1)
        Augmentation(flipProbability: 1).apply(to: m, shape: [1, 3, 1], generator: &generator)
        #expect(m.values == [3, 2, 1])
        // Shifts of up to 1 pixel: every result is the row moved by -1, 0 or 1, zero-filled.
        var seen = Set<[Float]>()
        for seed in UInt64(0)..<300 {
            let row = Matrix(rows: 1, columns: 3, values: [1, 2, 3])
            var g = SeededGenerator(seed: seed)
            Augmentation(cropPadding: 1).apply(to: row, shape: [1, 3, 1], generator: &g)
            seen.insert(row.values)
        }
        #expect(seen.isSubset(of: [[1, 2, 3], [2, 3, 0], [0, 1, 2], [0, 0, 0]]))
        #expect(seen.contains([2, 3, 0]) && seen.contains([0, 1, 2]) && seen.contains([1, 2, 3]), "\(seen)")
    }

    @Test func erasingZeroesARectangle() {
        let m = Matrix(rows: 1, columns: 100, repeating: 1)
        var generator = SeededGenerator(seed: 2)
        Augmentation(erasingProbability: 1).apply(to: m, shape: [10, 10, 1], generator: &generator)
        let zeros = m.values.enumerated().filter { $0.element == 0 }.map(\.offset)
        #expect(zeros.count >= 2 && zeros.count <= 40, "\(zeros.count) pixels erased")
        let rows = Set(zeros.map { $0 / 10 })
        let columns = Set(zeros.map { $0 % 10 })
        #expect(rows.count * columns.count == zeros.count, "the erased pixels form a rectangle")
    }

    @Test func trainingWithAugmentationIsReproducibleAndNeedsImages() throws {
        func train(_ seed: UInt64) throws -> [[Float]] {
            let model = try Sequential(inputShape: [4, 4, 1], seed: 1) {
                Flatten()
                Dense(units: 3)
                Softmax()
            }
            let images = (0..<48).flatMap { i in (0..<16).map { Float(($0 * 7 + i) % 5) / 5 } }
            let data = InMemoryData(features: images, labels: (0..<48).map { $0 % 3 }, featureCount: 16)
            _ = try Trainer.fit(
                model, on: data, options: TrainingOptions(epochs: 2, batchSize: 8, seed: seed, augmentation: Self.all))
            return model.snapshot()
        }
        #expect(try train(1) == (try train(1)))
        #expect(try train(1) != (try train(2)))
        let flat = try Sequential(inputSize: 16, seed: 1) {
            Dense(units: 3)
            Softmax()
        }
        let data = InMemoryData(features: [Float](repeating: 0, count: 32), labels: [0, 1], featureCount: 16)
        #expect(throws: ModelError.self) {
            try Trainer.fit(flat, on: data, options: TrainingOptions(epochs: 1, augmentation: Self.all))
        }
    }
}
