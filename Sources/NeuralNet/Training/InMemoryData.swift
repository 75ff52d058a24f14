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
