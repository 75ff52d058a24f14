import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// The inference seam: a model file loaded once and classified from many threads at once.
@Suite(.timeLimit(.minutes(10))) struct ClassifierTests {
    /// A small CNN with every kind of state inference reads (batch norm's moving statistics,
    /// dropout, pooling), trained a little on 8x8 images so the statistics are not the initial ones.
    static func modelFile(in folder: TemporaryFolder, flipAveraging: Bool = false) throws -> (URL, LabeledImages) {
        let images = Fixtures.images(count: 96, rows: 8, columns: 8, classCount: 3)
        let model = try Sequential(inputShape: [8, 8, 1], seed: 4) {
            Conv2D(filters: 4, kernelSize: 3, padding: .same)
            BatchNorm()
            ReLU()
            Pool2D(.max)
            Flatten()
            Dense(units: 12)
            ReLU()
            Dropout(rate: 0.3)
            Dense(units: 3)
            Softmax()
        }
        let options = TrainingOptions(epochs: 2, batchSize: 16, flipAveraging: flipAveraging)
        _ = try Trainer.fit(model, on: images, options: options, threads: 1)
        let url = folder.file("m.safetensors")
        try ModelFile(
            model: model, classNames: ["a", "b", "c"],
            preprocessing: Preprocessing(image: ImageShape(height: 8, width: 8)),
            training: options
        ).write(to: url)
        return (url, images)
    }

    @Test func eightThreadsAtOnceGiveWhatOneThreadGives() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try Self.modelFile(in: temp)
        let classifier = try Classifier(contentsOf: url)
        Compute.setThreads(1)
        let alone = try classifier.probabilities(pixels: images.pixels, count: images.count)
        // The same numbers whatever the kernels' thread count (a server may run on two).
        Compute.setThreads(2)
        defer { Compute.setThreads(1) }
        #expect(alone.count == images.count * 3)
        let results = Slots(count: 8 * 5)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<5 {
                // Each thread takes its own share of the images, in batches of different sizes.
                let size = 1 + (thread * 5 + round) % images.count
                let start = (thread * 7 + round * 3) % (images.count - size + 1)
                let pixels = Array(images.pixels[(start * 64)..<((start + size) * 64)])
                let probabilities = try? classifier.probabilities(pixels: pixels, count: size)
                results[thread * 5 + round] = (start, size, probabilities ?? [])
            }
        }
        for case (let start, let size, let probabilities)? in results.values {
            #expect(
                probabilities == Array(alone[(start * 3)..<((start + size) * 3)]), "images \(start)..<\(start + size)")
        }
    }

    @Test func aBatchGivesEachImageWhatItGetsAloneAndWhatTheTrainerGives() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try Self.modelFile(in: temp, flipAveraging: true)
        let file = try ModelFile.read(from: url)
        for flip in [false, true] {
            let classifier = Classifier(file: file, flipAveraging: flip)
            #expect(classifier.flipAveraging == flip)
            let batch = try classifier.probabilities(pixels: images.pixels, count: images.count)
            var single = [Float]()
            for i in 0..<images.count {
                single += try classifier.probabilities(pixels: Array(images.image(at: i)), count: 1)
            }
            #expect(batch == single)
            #expect(batch == Trainer.predict(file.model, on: images, flipAveraging: flip))
            // Scaled inputs give the same as pixels scaled by the file's rule.
            let inputs = images.pixels.map { file.preprocessing.scaling.scale($0) }
            #expect(try classifier.probabilities(inputs: inputs, count: images.count) == batch)
        }
        // Without an override, the file's own choice.
        #expect(Classifier(file: file).flipAveraging)
    }

    @Test func photosGoThroughThePredictPreparation() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, _) = try Self.modelFile(in: temp)
        let classifier = try Classifier(contentsOf: url)
        // A dark shape on white, 20x30 RGB: prepared as `fashion predict` prepares photos.
        var pixels = [UInt8](repeating: 255, count: 20 * 30 * 3)
        for y in 5..<25 { for x in 4..<12 { for c in 0..<3 { pixels[(y * 20 + x) * 3 + c] = 30 } } }
        let photo = RasterImage(width: 20, height: 30, channels: 3, pixels: pixels)
        let prepared = ImagePreparation.prepare(photo, rows: 8, columns: 8)
        #expect(try classifier.prepare(photo) == prepared)
        #expect(
            try classifier.probabilities(photos: [photo]) == (try classifier.probabilities(pixels: prepared, count: 1)))
        let top = classifier.topClasses(try classifier.probabilities(photos: [photo, photo]), top: 2)
        #expect(top.count == 2 && top[0].count == 2 && top[0] == top[1])
        #expect(top[0][0].probability >= top[0][1].probability)
    }

    @Test func inputsOfTheWrongSizeAreRefusedNamingTheField() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let classifier = try Classifier(contentsOf: try Self.modelFile(in: temp).0)
        let error = #expect(throws: InferenceError.self) { try classifier.probabilities(pixels: [1, 2, 3], count: 1) }
        #expect(error?.description == "pixels: expected 1 images of 8x8x1 (1 x 64 values), found 3 values")
        #expect(throws: InferenceError.self) { try classifier.probabilities(inputs: [], count: -1) }
        #expect(throws: InferenceError.self) { try classifier.probabilities(inputs: [0], count: Int.max / 2) }
        #expect(try classifier.probabilities(pixels: [], count: 0).isEmpty)
    }
}

/// Results filled in by concurrent workers, one slot each.
final class Slots: @unchecked Sendable {
    private var storage: [(Int, Int, [Float])?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    subscript(index: Int) -> (Int, Int, [Float])? {
        get { lock.withLock { storage[index] } }
        set { lock.withLock { storage[index] = newValue } }
    }
    var values: [(Int, Int, [Float])?] { lock.withLock { storage } }
}
