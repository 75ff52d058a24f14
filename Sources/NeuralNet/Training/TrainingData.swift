import NumericCore

/// What training reads: `count` examples of `featureCount` features and one class label
/// each. FashionData's image sets conform (in Inference, which knows both); tests use
/// `InMemoryData`.
public protocol TrainingData {
    var count: Int { get }
    var featureCount: Int { get }
    func label(at index: Int) -> Int
    /// Writes the features of the examples at `indices`, one row each, into `batch`.
    func fillBatch(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>)
    /// `[height, width, channels]` when the examples are images (augmentation needs it).
    var imageShape: ImageShape? { get }
}

extension TrainingData {
    public var imageShape: ImageShape? { nil }
}
