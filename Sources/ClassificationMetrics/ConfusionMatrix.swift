/// Counts of (true class, predicted class) pairs: `counts[trueClass][predictedClass]`.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public let counts: [[Int]]

    public var classCount: Int { counts.count }

    /// - Precondition: labels and predictions have the same length and lie in `0..<classCount`.
    public init(labels: [Int], predictions: [Int], classCount: Int) {
        precondition(labels.count == predictions.count, "labels and predictions differ in length")
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (label, prediction) in zip(labels, predictions) { counts[label][prediction] += 1 }
        self.counts = counts
    }

    /// How a confusion matrix's counts are turned into shares: by true class, by predicted class, or over all.
    public enum Normalisation: String, Codable, Sendable {
        /// Each row sums to 1: the share of each true class given each prediction (recall on the diagonal).
        case trueClass = "true"
        /// Each column sums to 1 (precision on the diagonal).
        case prediction = "pred"
        /// The whole matrix sums to 1.
        case all
    }

    /// The matrix as fractions; rows, columns or the whole with no examples stay 0.
    public func normalised(by normalisation: Normalisation) -> [[Double]] {
        let n = classCount
        let total = Double(counts.joined().reduce(0, +))
        let rowSums = counts.map { Double($0.reduce(0, +)) }
        let columnSums = (0..<n).map { j in Double(counts.reduce(0) { $0 + $1[j] }) }
        return (0..<n).map { i in
            (0..<n).map { j in
                let divisor =
                    normalisation == .trueClass ? rowSums[i] : normalisation == .prediction ? columnSums[j] : total
                return divisor == 0 ? 0 : Double(counts[i][j]) / divisor
            }
        }
    }

    /// The off-diagonal cells with the most examples, largest first (ties by class order).
    public func mostConfused(top: Int) -> [(trueClass: Int, predicted: Int, count: Int)] {
        var cells = [(trueClass: Int, predicted: Int, count: Int)]()
        for i in 0..<classCount {
            for j in 0..<classCount where i != j && counts[i][j] > 0 { cells.append((i, j, counts[i][j])) }
        }
        return Array(
            cells.sorted {
                $0.count != $1.count ? $0.count > $1.count : ($0.trueClass, $0.predicted) < ($1.trueClass, $1.predicted)
            }.prefix(top))
    }
}
