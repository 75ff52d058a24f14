import Explain
import FashionData
import Foundation
import NeuralNet
import NumericCore
import Studies

/// `fashion-bench explain-checks MODEL [IMAGES]`: the saliency sanity checks of issue 16 on the
/// first IMAGES (500) test images, for a trained model of images (cnn-small):
/// deletion-curve areas of integrated gradients and occlusion against a random order, the
/// rank correlation of trained and top-randomised integrated-gradients maps, and the time of
/// 100 integrated-gradients maps of 64 steps.
enum ExplainChecks {
    static func run(modelPath: String, count: Int) throws {
        let file = try ModelFile.read(from: URL(fileURLWithPath: modelPath))
        guard let shape = file.model.imageShape else {
            throw ModelError.invalidOption(name: "model", reason: "needs a model of images")
        }
        let dataset = try Dataset.load(from: DatasetLocator.locate())
        let images = dataset.test.subset(0..<count)
        let inputs = images.pixels.map { file.preprocessing.scaling.scale($0) }
        Compute.setThreads(2)
        let explainer = Explainer(model: file.model)
        let probabilities = explainer.probabilities(inputs, count: count)
        let classes = (0..<count).map { row in
            (0..<10).max { probabilities[row * 10 + $0] < probabilities[row * 10 + $1] }!
        }
        let size = shape.valueCount

        let timed = min(100, count)
        let start = Date()
        _ = explainer.integratedGradients(
            Array(inputs[0..<(timed * size)]), baselines: [Float](repeating: 0, count: timed * size),
            classes: Array(classes[0..<timed]),
            steps: 64)
        let igSeconds = Date().timeIntervalSince(start)
        let ig = explainer.integratedGradients(
            inputs, baselines: [Float](repeating: 0, count: inputs.count), classes: classes, steps: 64)
        let blurredIG = explainer.integratedGradients(
            inputs, baselines: Explanations.blurred(inputs, shape: shape), classes: classes, steps: 64)
        let occlusion = explainer.occlusion(inputs, classes: classes, shape: shape, window: 4, stride: 2)
        let gradients = explainer.gradientTimesInput(inputs, classes: classes)
        var generator = SeededGenerator(seed: 7)
        var areas = (ig: 0.0, occlusion: 0.0, random: 0.0, gradient: 0.0, blurred: 0.0)
        var relativeDeltas = [Double]()
        for i in 0..<count {
            let image = Array(inputs[(i * size)..<((i + 1) * size)])
            func area(_ order: [Int]) -> Double {
                let curve = SaliencyChecks.deletionCurve(
                    explainer: explainer, image: image, classIndex: classes[i], order: order, channels: shape.channels,
                    steps: 28)
                return curve.reduce(0, +) / Double(curve.count)
            }
            areas.ig += area(
                SaliencyChecks.order(byMap: Array(ig.maps[(i * size)..<((i + 1) * size)]), channels: shape.channels))
            areas.blurred += area(
                SaliencyChecks.order(
                    byMap: Array(blurredIG.maps[(i * size)..<((i + 1) * size)]), channels: shape.channels))
            areas.gradient += area(
                SaliencyChecks.order(byMap: Array(gradients[(i * size)..<((i + 1) * size)]), channels: shape.channels))
            areas.occlusion += area(
                SaliencyChecks.order(byMap: Array(occlusion[(i * size)..<((i + 1) * size)]), channels: shape.channels))
            var random = Array(0..<shape.pixelCount)
            random.seededShuffle(using: &generator)
            areas.random += area(random)
        }
        let scores = explainer.scores(inputs + [Float](repeating: 0, count: inputs.count), count: 2 * count)
        for i in 0..<count {
            let difference = abs(Double(scores[i * 10 + classes[i]]) - Double(scores[(count + i) * 10 + classes[i]]))
            relativeDeltas.append(ig.deltas[i] / max(1e-9, difference))
        }
        // Randomisation (Adebayo et al.'s cascade): the top layers get fresh weights, from the
        // first dense one up, then every layer; maps compared by rank, absolute and signed.
        let firstDense = file.model.layers.firstIndex { $0 is Dense } ?? file.model.layers.count - 1
        var correlations = [(String, Double, Double)]()
        let blurredBaselines = Explanations.blurred(inputs, shape: shape)
        for (label, top) in [
            ("dense layers", file.model.layers.count - firstDense), ("all layers", file.model.layers.count),
        ] {
            let randomised = try SaliencyChecks.randomisingTop(file.model, layers: top, seed: 99)
            for (baselineName, baselines, trainedMaps) in [
                ("zero", [Float](repeating: 0, count: inputs.count), ig.maps),
                ("blurred", blurredBaselines, blurredIG.maps),
            ] {
                let randomIG = Explainer(model: randomised).integratedGradients(
                    inputs, baselines: baselines, classes: classes, steps: 64)
                var absolute = 0.0
                var signed = 0.0
                for i in 0..<count {
                    let a = Array(trainedMaps[(i * size)..<((i + 1) * size)])
                    let b = Array(randomIG.maps[(i * size)..<((i + 1) * size)])
                    absolute += SaliencyChecks.spearman(a.map(abs), b.map(abs))
                    signed += SaliencyChecks.spearman(a, b)
                }
                correlations.append(
                    ("\(label), \(baselineName) baseline", absolute / Double(count), signed / Double(count)))
            }
        }
        let n = Double(count)
        print("images\t\(count)")
        print(
            String(
                format: "deletion area: integrated gradients %.4f, occlusion %.4f, random %.4f", areas.ig / n,
                areas.occlusion / n, areas.random / n))
        print(
            String(
                format: "ratio to random: integrated gradients %.3f, occlusion %.3f", areas.ig / areas.random,
                areas.occlusion / areas.random))
        print(String(format: "ratio to random: gradient x input %.3f", areas.gradient / areas.random))
        print(
            String(
                format: "ratio to random: integrated gradients, blurred baseline %.3f", areas.blurred / areas.random))
        for (label, absolute, signed) in correlations {
            print(
                String(
                    format: "spearman(trained, randomised %@) of IG maps, mean over images: |map| %.3f, signed %.3f",
                    label, absolute, signed))
        }
        let sorted = relativeDeltas.sorted()
        print(
            String(
                format: "IG completeness delta / |score difference|: median %.4f, 95th percentile %.4f, max %.4f",
                sorted[count / 2], sorted[Int(Double(count - 1) * 0.95)], sorted[count - 1]))
        print(String(format: "%d integrated-gradients maps (64 steps) on 2 threads: %.2f s", timed, igSeconds))
    }
}
