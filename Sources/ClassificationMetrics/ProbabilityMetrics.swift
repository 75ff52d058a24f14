import Foundation

/// Metrics of predicted probabilities: `probabilities` is `[count, classes]`, row-major.
public enum ProbabilityMetrics {
    /// The class with the highest probability in each row (the first of equals).
    public static func predictions(_ probabilities: [Float], classCount: Int) -> [Int] {
        stride(from: 0, to: probabilities.count, by: classCount).map { start in
            var best = 0
            for j in 1..<classCount where probabilities[start + j] > probabilities[start + best] { best = j }
            return best
        }
    }

    /// The share of rows whose label is among the `k` highest probabilities.
    public static func topKAccuracy(_ probabilities: [Float], labels: [Int], classCount: Int, k: Int) -> Double {
        guard !labels.isEmpty else { return 0 }
        var hits = 0
        for (row, label) in labels.enumerated() {
            let p = probabilities[(row * classCount)..<((row + 1) * classCount)]
            let higher = p.filter { $0 > p[p.startIndex + label] }.count
            if higher < k { hits += 1 }
        }
        return Double(hits) / Double(labels.count)
    }

    /// Mean negative log-probability of the true class, probabilities clipped to
    /// [1e-15, 1 - 1e-15] as scikit-learn's `log_loss` does.
    public static func logLoss(_ probabilities: [Float], labels: [Int], classCount: Int) -> Double {
        guard !labels.isEmpty else { return 0 }
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let p = min(max(Double(probabilities[row * classCount + label]), 1e-15), 1 - 1e-15)
            total -= log(p)
        }
        return total / Double(labels.count)
    }

    /// One bin of a reliability diagram: predictions whose confidence (top probability) fell
    /// in `lower..<upper`, how many, how confident on average, and how often right.
    public struct CalibrationBin: Codable, Equatable, Sendable {
        public let lower: Double
        public let upper: Double
        public let count: Int
        public let meanConfidence: Double
        public let accuracy: Double
    }

    /// The reliability bins and the expected calibration error: Σ (count / N) |accuracy −
    /// confidence| over `bins` equal-width bins of the top probability.
    public static func calibration(_ probabilities: [Float], labels: [Int], classCount: Int, bins: Int = 15)
        -> (bins: [CalibrationBin], expectedCalibrationError: Double)
    {
        var count = [Int](repeating: 0, count: bins)
        var confidence = [Double](repeating: 0, count: bins)
        var correct = [Int](repeating: 0, count: bins)
        let predicted = predictions(probabilities, classCount: classCount)
        for (row, label) in labels.enumerated() {
            let top = Double(probabilities[row * classCount + predicted[row]])
            let bin = min(bins - 1, max(0, Int(top * Double(bins))))
            count[bin] += 1
            confidence[bin] += top
            if predicted[row] == label { correct[bin] += 1 }
        }
        let total = Double(max(1, labels.count))
        var error = 0.0
        let result = (0..<bins).map { b -> CalibrationBin in
            let n = count[b]
            let meanConfidence = n == 0 ? 0 : confidence[b] / Double(n)
            let accuracy = n == 0 ? 0 : Double(correct[b]) / Double(n)
            error += Double(n) / total * abs(accuracy - meanConfidence)
            return CalibrationBin(
                lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: n,
                meanConfidence: meanConfidence, accuracy: accuracy)
        }
        return (result, error)
    }
}
