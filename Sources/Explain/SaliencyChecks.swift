import NeuralNet
import NumericCore

/// Checks that saliency maps mean something (Adebayo et al. 2018, "Sanity Checks for Saliency
/// Maps"; Petsiuk et al. 2018, the deletion metric), on plain values.
public enum SaliencyChecks {
    /// Spearman's rank correlation of two maps (ties get their mean rank).
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double {
        let ra = ranks(a)
        let rb = ranks(b)
        let n = Double(a.count)
        guard n > 1 else { return 0 }
        let ma = ra.reduce(0, +) / n
        let mb = rb.reduce(0, +) / n
        var covariance = 0.0
        var va = 0.0
        var vb = 0.0
        for i in 0..<a.count {
            covariance += (ra[i] - ma) * (rb[i] - mb)
            va += (ra[i] - ma) * (ra[i] - ma)
            vb += (rb[i] - mb) * (rb[i] - mb)
        }
        return va > 0 && vb > 0 ? covariance / (va * vb).squareRoot() : 0
    }

    static func ranks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = mean }
            i = j + 1
        }
        return ranks
    }

    /// The deletion curve of one image: the class's probability as its pixels are set to
    /// `value` in `order` (most salient first for a map, any order for the random baseline),
    /// `steps` equal shares at a time; `steps + 1` points from the intact image to the empty one.
    /// Its mean is the area under the curve: lower means the order found what the class needs.
    public static func deletionCurve(
        explainer: Explainer, image: [Float], classIndex: Int, order: [Int], channels: Int, steps: Int, value: Float = 0
    ) -> [Double] {
        var batch = [Float]()
        batch.reserveCapacity((steps + 1) * image.count)
        var current = image
        batch += current
        let pixels = order.count
        for step in 1...steps {
            for p in order[((step - 1) * pixels / steps)..<(step * pixels / steps)] {
                for c in 0..<channels { current[p * channels + c] = value }
            }
            batch += current
        }
        let probabilities = explainer.probabilities(batch, count: steps + 1)
        return (0...steps).map { Double(probabilities[$0 * explainer.classCount + classIndex]) }
    }

    /// The pixels of an image by a map, most salient first (a pixel's channels summed).
    public static func order(byMap map: [Float], channels: Int) -> [Int] {
        let pixels = map.count / channels
        let saliency = (0..<pixels).map { p in (0..<channels).reduce(Float(0)) { $0 + map[p * channels + $1] } }
        return (0..<pixels).sorted { saliency[$0] > saliency[$1] || (saliency[$0] == saliency[$1] && $0 < $1) }
    }

    /// A copy of `model` whose top `layers` layers (counted from the output) have the
    /// initial weights of `seed` again: the randomisation test's model.
    public static func randomisingTop(_ model: Sequential, layers count: Int, seed: UInt64) throws -> Sequential {
        let fresh = try Sequential(specification: model.specification, seed: seed)
        let keep = max(0, model.layers.count - count)
        for (index, (trained, copy)) in zip(model.layers, fresh.layers).enumerated() where index < keep {
            for (a, b) in zip(trained.parameters + trained.state, copy.parameters + copy.state) {
                b.value.pointer.update(from: a.value.pointer, count: a.value.count)
            }
        }
        return fresh
    }
}
