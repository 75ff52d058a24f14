import ClassificationMetrics
import Testing

/// Multi-label metrics against scikit-learn 1.9.1 (`sklearn.metrics`, zero_division=0) on the
/// same 12 images of 4 tags; the numbers below are what it printed.
@Suite(.timeLimit(.minutes(10))) struct MultiLabelMetricsTests {
    static let truth: [UInt8] = [
        1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0,
        1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0,
    ]
    static let scores: [Float] = [
        0.9, 0.2, 0.1, 0.6, 0.3, 0.8, 0.4, 0.1, 0.7, 0.4, 0.2, 0.3, 0.1, 0.6, 0.2, 0.2, 0.8, 0.7, 0.6, 0.4,
        0.2, 0.3, 0.7, 0.5, 0.6, 0.1, 0.3, 0.2, 0.4, 0.5, 0.5, 0.9, 0.55, 0.45, 0.2, 0.1, 0.3, 0.3, 0.8, 0.7,
        0.9, 0.2, 0.4, 0.6, 0.1, 0.9, 0.5, 0.5,
    ]

    @Test func theNumbersAreScikitLearns() {
        let m = MultiLabelMetrics(truth: Self.truth, scores: Self.scores, tagCount: 4)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }
        #expect(m.count == 12)
        #expect(close(m.subsetAccuracy, 0.3333333333333333))
        #expect(close(m.hammingLoss, 0.16666666666666666))
        #expect(close(m.microPrecision, 0.8181818181818182) && close(m.microRecall, 0.8181818181818182))
        #expect(close(m.microF1, 0.8181818181818182))
        #expect(close(m.macroF1, 0.8136363636363637))
        #expect(close(m.samplesF1, 0.7714285714285715))
        #expect(zip(m.perTag.map(\.precision), [1.0, 0.8, 0.8, 0.6666666666666666]).allSatisfy(close))
        #expect(zip(m.perTag.map(\.recall), [1.0, 0.6666666666666666, 0.8, 0.8]).allSatisfy(close))
        #expect(zip(m.perTag.map(\.f1), [1.0, 0.7272727272727273, 0.8, 0.7272727272727273]).allSatisfy(close))
        #expect(
            zip(m.perTag.map(\.averagePrecision), [1.0, 0.8432900432900432, 0.885, 0.9428571428571428]).allSatisfy(
                close))
        #expect(close(m.meanAveragePrecision, 0.9177867965367965))
        #expect(close(m.labelRankingAveragePrecision, 0.9652777777777777))
        #expect(m.perTag.map(\.support) == [6, 6, 5, 5])
    }

    @Test func thresholdsAreOneATag() {
        let strict = MultiLabelMetrics(
            truth: Self.truth, scores: Self.scores, tagCount: 4, thresholds: [0.95, 0.95, 0.95, 0.95])
        // Nothing is predicted: no image is exactly right but the one with no tags, every true tag is missed.
        #expect(strict.subsetAccuracy == 1.0 / 12)
        #expect(strict.microRecall == 0 && strict.microPrecision == 0)
        #expect(strict.hammingLoss == 22.0 / 48)
        // Average precision does not depend on the thresholds.
        #expect(
            strict.meanAveragePrecision
                == MultiLabelMetrics(truth: Self.truth, scores: Self.scores, tagCount: 4).meanAveragePrecision)
    }

    /// Per-tag thresholds: for each tag, no threshold at any score gives a better F1, and the one
    /// chosen sits between two scores (so it is no image's score); a tag no image has keeps 0.5.
    @Test func thresholdsHaveTheBestF1OfEveryCandidate() {
        let truth = Self.truth + [0, 0, 0, 0]
        var scores = Self.scores + [0.3, 0.2, 0.1, 0.4]
        var withEmptyTag = truth
        for i in stride(from: 2, to: withEmptyTag.count, by: 4) { withEmptyTag[i] = 0 }
        scores[2] = 0.95
        let thresholds = MultiLabelMetrics.bestThresholds(truth: withEmptyTag, scores: scores, tagCount: 4)
        #expect(thresholds[2] == 0.5)
        func f1(_ tag: Int, _ threshold: Float) -> Double {
            let m = MultiLabelMetrics(
                truth: withEmptyTag, scores: scores, tagCount: 4,
                thresholds: (0..<4).map { $0 == tag ? threshold : 0.5 })
            return m.perTag[tag].f1
        }
        for tag in [0, 1, 3] {
            let column = stride(from: tag, to: scores.count, by: 4).map { scores[$0] }
            #expect(!column.contains(thresholds[tag]))
            let best = Set(column).map { f1(tag, $0) }.max()!
            #expect(abs(f1(tag, thresholds[tag]) - best) < 1e-12, "tag \(tag)")
        }
        // The mean average precision alone equals the full metrics' one.
        let full = MultiLabelMetrics(truth: truth, scores: scores, tagCount: 4)
        #expect(
            MultiLabelMetrics.meanAveragePrecision(truth: truth.map(Float.init), scores: scores, tagCount: 4)
                == full.meanAveragePrecision)
    }
}
