/// Multi-label tagging judged as scikit-learn judges it (`sklearn.metrics`, version 1.x, with
/// `zero_division=0`): every image has any number of the `tagCount` tags.
///
/// - Truth: `[count, tagCount]` 0 or 1, row-major. Scores: the same shape, each tag's
///   probability; a tag is predicted when its score reaches its threshold.
public struct MultiLabelMetrics: Codable, Equatable, Sendable {
    /// One tag's precision, recall, F1, average precision and counts at its threshold.
    public struct TagScores: Codable, Equatable, Sendable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// Average precision: Σ (R_n − R_{n−1}) P_n over the score thresholds, highest first
        /// (`average_precision_score`); 0 for a tag no image has.
        public let averagePrecision: Double
        public let support: Int
    }

    public let count: Int
    public let tagCount: Int
    /// Share of images whose predicted tags are exactly their true tags.
    public let subsetAccuracy: Double
    /// Share of (image, tag) pairs predicted wrong.
    public let hammingLoss: Double
    public let microPrecision: Double
    public let microRecall: Double
    public let microF1: Double
    public let macroF1: Double
    /// F1 of each image's tags, averaged over images.
    public let samplesF1: Double
    public let perTag: [TagScores]
    /// Mean of the tags' average precision (tags no image has left out).
    public let meanAveragePrecision: Double
    /// `label_ranking_average_precision_score`.
    public let labelRankingAveragePrecision: Double

    /// - Parameter thresholds: one a tag (0.5 each by default).
    public init(truth: [UInt8], scores: [Float], tagCount: Int, thresholds: [Float]? = nil) {
        precondition(tagCount > 0 && truth.count == scores.count && truth.count % tagCount == 0)
        let count = truth.count / tagCount
        let thresholds = thresholds ?? [Float](repeating: 0.5, count: tagCount)
        self.count = count
        self.tagCount = tagCount
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        func f1(_ tp: Int, _ fp: Int, _ fn: Int) -> Double { ratio(2 * tp, 2 * tp + fp + fn) }

        var exact = 0
        var wrong = 0
        var samples = 0.0
        var tp = [Int](repeating: 0, count: tagCount)
        var fp = tp
        var fn = tp
        for image in 0..<count {
            var rowTP = 0
            var rowFP = 0
            var rowFN = 0
            for tag in 0..<tagCount {
                let i = image * tagCount + tag
                let predicted = scores[i] >= thresholds[tag]
                let actual = truth[i] != 0
                switch (predicted, actual) {
                case (true, true):
                    rowTP += 1
                    tp[tag] += 1
                case (true, false):
                    rowFP += 1
                    fp[tag] += 1
                case (false, true):
                    rowFN += 1
                    fn[tag] += 1
                case (false, false): break
                }
            }
            if rowFP == 0 && rowFN == 0 { exact += 1 }
            wrong += rowFP + rowFN
            samples += f1(rowTP, rowFP, rowFN)
        }
        subsetAccuracy = ratio(exact, count)
        hammingLoss = ratio(wrong, count * tagCount)
        let (sumTP, sumFP, sumFN) = (tp.reduce(0, +), fp.reduce(0, +), fn.reduce(0, +))
        microPrecision = ratio(sumTP, sumTP + sumFP)
        microRecall = ratio(sumTP, sumTP + sumFN)
        microF1 = f1(sumTP, sumFP, sumFN)
        samplesF1 = count == 0 ? 0 : samples / Double(count)
        var perTag = [TagScores]()
        for tag in 0..<tagCount {
            let column = (0..<count).map { (truth[$0 * tagCount + tag] != 0, scores[$0 * tagCount + tag]) }
            perTag.append(
                TagScores(
                    precision: ratio(tp[tag], tp[tag] + fp[tag]), recall: ratio(tp[tag], tp[tag] + fn[tag]),
                    f1: f1(tp[tag], fp[tag], fn[tag]), averagePrecision: Self.averagePrecision(column),
                    support: tp[tag] + fn[tag]))
        }
        self.perTag = perTag
        macroF1 = perTag.map(\.f1).reduce(0, +) / Double(tagCount)
        let present = perTag.filter { $0.support > 0 }
        meanAveragePrecision =
            present.isEmpty ? 0 : present.map(\.averagePrecision).reduce(0, +) / Double(present.count)
        labelRankingAveragePrecision = Self.rankingAveragePrecision(truth: truth, scores: scores, tagCount: tagCount)
    }

    /// The mean of the tags' average precision (tags no image has left out), without the
    /// other metrics: truth 0 or 1 and scores `[count, tagCount]` (any monotone scores rank as
    /// probabilities do, logits too).
    public static func meanAveragePrecision(truth: [Float], scores: [Float], tagCount: Int) -> Double {
        precondition(tagCount > 0 && truth.count == scores.count && truth.count % tagCount == 0)
        let count = truth.count / tagCount
        var sum = 0.0
        var present = 0
        for tag in 0..<tagCount {
            let column = (0..<count).map { (truth[$0 * tagCount + tag] >= 0.5, scores[$0 * tagCount + tag]) }
            guard column.contains(where: \.0) else { continue }
            sum += averagePrecision(column)
            present += 1
        }
        return present == 0 ? 0 : sum / Double(present)
    }

    /// For each tag, the decision threshold with the best F1 on these images (truth 0 or 1,
    /// probabilities `[count, tagCount]`): halfway between the lowest score taken and the next
    /// lower one, so it is not a score of one image; 0.5 for a tag no image has. Ties in F1 keep
    /// the threshold closest to 0.5.
    public static func bestThresholds(truth: [UInt8], scores: [Float], tagCount: Int) -> [Float] {
        precondition(tagCount > 0 && truth.count == scores.count && truth.count % tagCount == 0)
        let count = truth.count / tagCount
        return (0..<tagCount).map { tag in
            let column = (0..<count).map { (truth[$0 * tagCount + tag] != 0, scores[$0 * tagCount + tag]) }
            let positives = column.filter(\.0).count
            guard positives > 0 else { return 0.5 }
            var best: (f1: Double, threshold: Float) = (-1, 0.5)
            for cut in cutoffs(column) {
                let threshold = (cut.score + (cut.next ?? max(0, cut.score - 1e-3))) / 2
                let f1 = Double(2 * cut.truePositives) / Double(cut.taken + positives)
                if f1 > best.f1 + 1e-12
                    || (abs(f1 - best.f1) <= 1e-12 && abs(threshold - 0.5) < abs(best.threshold - 0.5))
                {
                    best = (f1, threshold)
                }
            }
            return best.threshold
        }
    }

    /// A tag's (is positive, score) pairs cut at each distinct score, highest first: how many
    /// pairs score at least it (`taken`), how many of those are positive, and the next lower
    /// score (nil after the lowest). Tied pairs count at once, as scikit-learn counts them.
    static func cutoffs(_ pairs: [(Bool, Float)]) -> [(score: Float, truePositives: Int, taken: Int, next: Float?)] {
        let sorted = pairs.sorted { $0.1 > $1.1 }
        var result = [(score: Float, truePositives: Int, taken: Int, next: Float?)]()
        var truePositives = 0
        var index = 0
        while index < sorted.count {
            let score = sorted[index].1
            while index < sorted.count, sorted[index].1 == score {
                if sorted[index].0 { truePositives += 1 }
                index += 1
            }
            result.append((score, truePositives, index, index < sorted.count ? sorted[index].1 : nil))
        }
        return result
    }

    /// AP of one tag from (is positive, score) pairs: thresholds at each distinct score.
    static func averagePrecision(_ pairs: [(Bool, Float)]) -> Double {
        let positives = pairs.filter(\.0).count
        guard positives > 0 else { return 0 }
        var ap = 0.0
        var previousRecall = 0.0
        for cut in cutoffs(pairs) {
            let recall = Double(cut.truePositives) / Double(positives)
            ap += (recall - previousRecall) * Double(cut.truePositives) / Double(cut.taken)
            previousRecall = recall
        }
        return ap
    }

    /// For each image and each of its true tags: the share of tags scored at least as high that
    /// are true; averaged per image, then over images (an image with no true tag, or only true
    /// tags, scores 1, as scikit-learn's).
    static func rankingAveragePrecision(truth: [UInt8], scores: [Float], tagCount: Int) -> Double {
        let count = truth.count / tagCount
        guard count > 0 else { return 0 }
        var total = 0.0
        for image in 0..<count {
            let row = (0..<tagCount).map { (truth[image * tagCount + $0] != 0, scores[image * tagCount + $0]) }
            let relevant = row.filter(\.0)
            guard !relevant.isEmpty, relevant.count < tagCount else {
                total += 1
                continue
            }
            var sum = 0.0
            for (_, score) in relevant {
                let atLeast = row.filter { $0.1 >= score }
                sum += Double(atLeast.filter(\.0).count) / Double(atLeast.count)
            }
            total += sum / Double(relevant.count)
        }
        return total / Double(count)
    }
}
