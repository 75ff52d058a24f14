import ClassificationMetrics
import Foundation
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct MetricsTests {
    // Hand-checkable: class 0 is right 2 of 3 times, once called 1; ...
    let labels = [0, 1, 2, 2, 1, 0, 3, 3, 3, 1, 2, 0]
    let predictions = [0, 2, 2, 2, 1, 1, 3, 0, 3, 1, 2, 0]
    let names = ["T-shirt/top", "Trouser", "Pullover", "Bag"]

    var report: ClassificationReport {
        ClassificationReport(
            confusion: ConfusionMatrix(labels: labels, predictions: predictions, classCount: 4), classNames: names)
    }

    @Test func confusionCountsAndNormalisations() {
        let matrix = ConfusionMatrix(labels: labels, predictions: predictions, classCount: 4)
        #expect(matrix.counts == [[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 3, 0], [1, 0, 0, 2]])
        #expect(matrix.normalised(by: .trueClass)[0] == [2.0 / 3, 1.0 / 3, 0, 0])
        #expect(matrix.normalised(by: .prediction)[0][0] == 2.0 / 3)  // column 0 holds 2 + 1
        #expect(matrix.normalised(by: .all)[2][2] == 3.0 / 12)
        #expect(
            matrix.mostConfused(top: 2).map { [$0.trueClass, $0.predicted, $0.count] } == [[0, 1, 1], [1, 2, 1]])
    }

    @Test func scoresByHand() {
        let r = report
        // Pullover: predicted 4 times, right 3: precision 0.75, recall 1, F1 6/7.
        #expect(r.perClass[2].precision == 0.75 && r.perClass[2].recall == 1)
        #expect(abs(r.perClass[2].f1 - 6.0 / 7) < 1e-12)
        #expect(r.accuracy == 0.75)
        #expect(abs(r.macroAverage.precision - (2.0 / 3 + 2.0 / 3 + 0.75 + 1) / 4) < 1e-12)
        #expect(r.worstClass.index == 0)
    }

    @Test(arguments: [2, 4])
    func textMatchesScikitLearn(digits: Int) {
        // Snapshots written by scikit-learn 1.9's classification_report on the same data.
        let name = digits == 2 ? "classification-report" : "classification-report-4digits"
        if let failure = Golden.check(report.text(digits: digits), named: name) {
            Issue.record(Comment(rawValue: failure))
        }
    }

    @Test func zeroDivisionGivesZero() {
        let r = ClassificationReport(
            confusion: ConfusionMatrix(labels: [0, 0], predictions: [0, 0], classCount: 2), classNames: ["a", "b"])
        #expect(r.perClass[1] == .init(precision: 0, recall: 0, f1: 0, support: 0))
    }

    @Test func probabilityMetrics() {
        let p: [Float] = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4]
        #expect(ProbabilityMetrics.predictions(p, classCount: 2) == [0, 1, 0])
        // scikit-learn's log_loss([0, 1, 1], ...) = 0.414931599615397
        #expect(abs(ProbabilityMetrics.logLoss(p, labels: [0, 1, 1], classCount: 2) - 0.414931599615397) < 1e-7)
        #expect(ProbabilityMetrics.topKAccuracy(p, labels: [0, 1, 1], classCount: 2, k: 1) == 2.0 / 3)
        #expect(ProbabilityMetrics.topKAccuracy(p, labels: [0, 1, 1], classCount: 2, k: 2) == 1)
    }

    @Test func calibrationByHand() {
        // Confidences 0.95 (right), 0.85 (right), 0.65 (wrong); 10 bins.
        let (bins, ece) = ProbabilityMetrics.calibration(
            [0.95, 0.05, 0.15, 0.85, 0.65, 0.35], labels: [0, 1, 1], classCount: 2, bins: 10)
        #expect(bins[9].count == 1 && bins[8].count == 1 && bins[6].count == 1)
        #expect(bins[6].accuracy == 0)
        // |1 - 0.95| + |1 - 0.85| + |0 - 0.65|, each weighted 1/3.
        #expect(abs(ece - (0.05 + 0.15 + 0.65) / 3) < 1e-6)
    }
}
