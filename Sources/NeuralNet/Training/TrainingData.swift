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
    /// Multi-label data: the number of tags each example may have (0 for single-label data, whose
    /// `label(at:)` is the class; for multi-label data it is only the example's first tag).
    var tagCount: Int { get }
    /// Writes the tags of the examples at `indices` (multi-hot, `tagCount` values a row) into `batch`.
    func fillTags(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>)
}

extension TrainingData {
    public var imageShape: ImageShape? { nil }
    public var tagCount: Int { 0 }
    public func fillTags(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>) {}
}
