import FashionData
import Foundation
import NeuralNet
import NumericCore

/// A small CNN on 8x8 grayscale images with three classes, trained one epoch on
/// `Fixtures.images` so that its batch-norm statistics are not the initial ones: a real model
/// file for tests that serve, export or explain one.
public enum TinyModel {
    public static let classNames = ["tee", "trouser", "bag"]

    /// Writes the model file to `url` and returns the images it was trained on.
    @discardableResult
    public static func write(to url: URL, seed: UInt64 = 4) throws -> LabeledImages {
        let images = Fixtures.images(count: 64, rows: 8, columns: 8, classCount: 3)
        let model = try Sequential(inputShape: [8, 8, 1], seed: seed) {
            Conv2D(filters: 4, kernelSize: 3, padding: .same)
            BatchNorm()
            ReLU()
            Pool2D(.max)
            Flatten()
            Dense(units: 12)
            ReLU()
            Dense(units: 3)
            Softmax()
        }
        let options = TrainingOptions(epochs: 1, batchSize: 16)
        let data = InMemoryData(
            features: images.pixels.map { Float($0) / 255 }, labels: images.labels.map(Int.init), featureCount: 64)
        _ = try Trainer.fit(model, on: data, options: options, threads: 1)
        try ModelFile(
            model: model, classNames: classNames, preprocessing: Preprocessing(image: ImageShape(height: 8, width: 8)),
            training: options
        ).write(to: url)
        return images
    }
}
