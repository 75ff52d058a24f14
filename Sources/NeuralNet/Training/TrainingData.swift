/// What training reads: `count` examples of `featureCount` features and one class label
/// each. FashionData's image sets conform (in the CLI, which knows both); tests use
/// `InMemoryData`.
public protocol TrainingData {
    var count: Int { get }
    var featureCount: Int { get }
    func label(at index: Int) -> Int
    /// Writes the features of the examples at `indices`, one row each, into `batch`.
    func fillBatch(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>)
    /// `[height, width, channels]` when the examples are images (augmentation needs it).
    var imageShape: [Int]? { get }
}

extension TrainingData {
    public var imageShape: [Int]? { nil }
}

/// Features and labels held as arrays: `features` is `[count, featureCount]`, row-major.
public struct InMemoryData: TrainingData, Sendable {
    public let features: [Float]
    public let labels: [Int]
    public let featureCount: Int

    public init(features: [Float], labels: [Int], featureCount: Int) {
        precondition(features.count == labels.count * featureCount, "features do not match labels x featureCount")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
    }

    public var count: Int { labels.count }
    public func label(at index: Int) -> Int { labels[index] }

    public func fillBatch(indices: ArraySlice<Int>, into batch: UnsafeMutableBufferPointer<Float>) {
        features.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                for j in 0..<featureCount { batch[row * featureCount + j] = source[index * featureCount + j] }
            }
        }
    }
}
