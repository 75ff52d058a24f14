import ClassificationMetrics
import Testing

/// Multi-label metrics against scikit-learn 1.9.1 (`sklearn.metrics`, zero_division=0) on the
/// same 12 images of 4 tags; the numbers below are what it printed.
@Suite struct MultiLabelMetricsTests {
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
}
