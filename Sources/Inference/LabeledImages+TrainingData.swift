import FashionData
import NeuralNet
import NumericCore

/// Image sets train networks directly: pixels become `Float` in [0, 1] batch by batch.
extension LabeledImages: TrainingData {
    public var imageShape: ImageShape? { shape }

    public var featureCount: Int { pixelsPerImage }
    public func label(at index: Int) -> Int { Int(labels[index]) }
    public func fillBatch(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>) {
        // A lazy view, so that the generic reader (not this witness) is called.
        fillBatch(indices: indices.lazy.map { $0 }, into: batch)
    }
    public func fillTags(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>) {
        guard let tags else { return }
        let width = tagCount
        for (row, index) in indices.enumerated() {
            for j in 0..<width { batch[row * width + j] = Float(tags[index * width + j]) }
        }
    }
}
