import Foundation

/// Precision, recall, F1 and support per class, with accuracy and macro and weighted
/// averages: scikit-learn's `classification_report`, in its layout and as JSON. A precision
/// or recall with nothing to divide by is 0, as scikit-learn's default.
public struct ClassificationReport: Codable, Equatable, Sendable {
    /// One class's (or an average's) precision, recall, F1 and support.
    public struct Scores: Codable, Equatable, Sendable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        public let support: Int

        public init(precision: Double, recall: Double, f1: Double, support: Int) {
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.support = support
        }
    }

    public let classNames: [String]
    public let perClass: [Scores]
    public let accuracy: Double
    public let macroAverage: Scores
    public let weightedAverage: Scores

    public init(confusion: ConfusionMatrix, classNames: [String]) {
        precondition(classNames.count == confusion.classCount, "one name per class")
        let n = confusion.classCount
        let counts = confusion.counts
        var perClass = [Scores]()
        for c in 0..<n {
            let truePositives = Double(counts[c][c])
            let predicted = Double((0..<n).reduce(0) { $0 + counts[$1][c] })
            let actual = counts[c].reduce(0, +)
            let precision = predicted == 0 ? 0 : truePositives / predicted
            let recall = actual == 0 ? 0 : truePositives / Double(actual)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            perClass.append(Scores(precision: precision, recall: recall, f1: f1, support: actual))
        }
        let total = perClass.reduce(0) { $0 + $1.support }
        let correct = (0..<n).reduce(0) { $0 + counts[$1][$1] }
        self.classNames = classNames
        self.perClass = perClass
        accuracy = total == 0 ? 0 : Double(correct) / Double(total)
        func average(_ weight: (Scores) -> Double) -> Scores {
            let weights = perClass.map(weight)
            let sum = weights.reduce(0, +)
            func mean(_ value: (Scores) -> Double) -> Double {
                sum == 0 ? 0 : zip(perClass, weights).reduce(0) { $0 + value($1.0) * $1.1 } / sum
            }
            return Scores(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: total)
        }
        macroAverage = average { _ in 1 }
        weightedAverage = average { Double($0.support) }
    }

    /// The class with the lowest F1 (the first of equals).
    public var worstClass: (index: Int, f1: Double) {
        let index = perClass.indices.min { perClass[$0].f1 < perClass[$1].f1 } ?? 0
        return (index, perClass.isEmpty ? 0 : perClass[index].f1)
    }

    /// The report as scikit-learn prints it, with `digits` decimals.
    public func text(digits: Int = 2) -> String {
        let width = max(classNames.map(\.count).max() ?? 0, "weighted avg".count, digits)
        func name(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func column(_ text: String) -> String { " " + String(repeating: " ", count: max(0, 9 - text.count)) + text }
        func number(_ value: Double) -> String { column(String(format: "%.\(digits)f", value)) }
        func row(_ label: String, _ s: Scores) -> String {
            name(label) + " " + number(s.precision) + number(s.recall) + number(s.f1) + column("\(s.support)") + "\n"
        }
        var text = name("") + " " + ["precision", "recall", "f1-score", "support"].map(column).joined() + "\n\n"
        for (index, scores) in perClass.enumerated() { text += row(classNames[index], scores) }
        text += "\n"
        text +=
            name("accuracy") + " " + column("") + column("") + number(accuracy) + column("\(macroAverage.support)")
            + "\n"
        text += row("macro avg", macroAverage)
        text += row("weighted avg", weightedAverage)
        return text
    }
}
