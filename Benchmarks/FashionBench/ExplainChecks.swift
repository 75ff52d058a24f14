import Explain
import FashionData
import Foundation
import NeuralNet
import NumericCore
import Studies

/// `fashion-bench explain-checks MODEL [IMAGES]`: the saliency sanity checks on the
/// first IMAGES (500) test images, for a trained model of images (cnn-small):
/// deletion-curve areas of each method against a random order, the rank correlation of the
/// maps of the trained model and of the model with its top layers re-initialised, the
/// completeness of integrated gradients, and the time of 100 maps.
enum ExplainChecks {
    /// One way of making maps: a name, and the maps of some images for a model.
    struct Method {
        let name: String
        let maps: (Sequential, [Float], [Int]) -> [Float]
    }

    static func run(modelPath: String, count: Int) throws {
        let file = try ModelFile.read(from: URL(fileURLWithPath: modelPath))
        guard let shape = file.model.imageShape else {
            throw ModelError.invalidOption(name: "model", reason: "needs a model of images")
        }
        let dataset = try Dataset.load(from: DatasetLocator.locate())
        let images = dataset.test.subset(0..<count)
        let inputs = images.pixels.map { file.preprocessing.scaling.scale($0) }
        let range = file.preprocessing.scaling.scale(255) - file.preprocessing.scaling.scale(0)
        Compute.setThreads(2)
        let explainer = Explainer(model: file.model)
        let probabilities = explainer.probabilities(inputs, count: count)
        let classes = (0..<count).map { row in
            (0..<10).max { probabilities[row * 10 + $0] < probabilities[row * 10 + $1] }!
        }
        let size = shape.valueCount
        let zeros = [Float](repeating: 0, count: inputs.count)
        let smoothing = Explainer.Smoothing(samples: 8, noise: 0.15)

        func ig(_ score: Explainer.Score) -> Method {
            Method(name: "integrated gradients (\(score.rawValue), 64 points)") { model, x, c in
                Explainer(model: model, score: score).integratedGradients(
                    x, baselines: [Float](repeating: 0, count: x.count), classes: c, steps: 64
                ).maps
            }
        }
        func smoothIG(_ score: Explainer.Score) -> Method {
            Method(name: "SmoothGrad integrated gradients (\(score.rawValue), 8 copies x 8 points)") { model, x, c in
                Explainer(model: model, score: score).smoothIntegratedGradients(
                    x, baselines: [Float](repeating: 0, count: x.count), classes: c, steps: 8, smoothing: smoothing,
                    range: range
                ).maps
            }
        }
        let methods = [
            ig(.logit), ig(.logProbability), smoothIG(.logit), smoothIG(.logProbability),
            Method(name: "integrated gradients (logit, blurred baseline, 64 points)") { model, x, c in
                Explainer(model: model).integratedGradients(
                    x, baselines: Explanations.blurred(x, shape: shape), classes: c, steps: 64
                ).maps
            },
            Method(name: "gradient x input (logit)") { model, x, c in
                Explainer(model: model).gradientTimesInput(x, classes: c)
            },
            Method(name: "occlusion (4x4 window, stride 2)") { model, x, c in
                Explainer(model: model).occlusion(x, classes: c, shape: shape, window: 4, stride: 2)
            },
        ]

        // Time: 100 maps, plain and smoothed (each 64 gradients a map).
        let timed = min(100, count)
        let timedInputs = Array(inputs[0..<(timed * size)])
        let timedClasses = Array(classes[0..<timed])
        var seconds = [(String, Double)]()
        for method in [methods[0], methods[3]] {
            let start = Date()
            _ = method.maps(file.model, timedInputs, timedClasses)
            seconds.append((method.name, Date().timeIntervalSince(start)))
        }

        func area(_ image: [Float], _ classIndex: Int, _ order: [Int]) -> Double {
            let curve = SaliencyChecks.deletionCurve(
                explainer: explainer, image: image, classIndex: classIndex, order: order, channels: shape.channels,
                steps: 28)
            return curve.reduce(0, +) / Double(curve.count)
        }
        var generator = SeededGenerator(seed: 7)
        var randomArea = 0.0
        for i in 0..<count {
            var random = Array(0..<shape.pixelCount)
            random.seededShuffle(using: &generator)
            randomArea += area(Array(inputs[(i * size)..<((i + 1) * size)]), classes[i], random)
        }
        print("images\t\(count)")
        print(String(format: "deletion area of a random order: %.4f", randomArea / Double(count)))

        // Randomisation (Adebayo et al.'s cascade): the top layers get fresh weights, from the
        // first dense one up, then every layer; maps compared by rank, absolute and signed.
        let firstDense = file.model.layers.firstIndex { $0 is Dense } ?? file.model.layers.count - 1
        let randomised = try [
            ("dense layers", file.model.layers.count - firstDense), ("all layers", file.model.layers.count),
        ].map { label, top in (label, try SaliencyChecks.randomisingTop(file.model, layers: top, seed: 99)) }
        for (index, method) in methods.enumerated() {
            let maps = method.maps(file.model, inputs, classes)
            var mapArea = 0.0
            for i in 0..<count {
                let map = Array(maps[(i * size)..<((i + 1) * size)])
                mapArea += area(
                    Array(inputs[(i * size)..<((i + 1) * size)]), classes[i],
                    SaliencyChecks.order(byMap: map, channels: shape.channels))
            }
            print(
                String(
                    format: "%@: deletion area %.4f, ratio to random %.3f", method.name, mapArea / Double(count),
                    mapArea / randomArea))
            // The cascade for the integrated-gradients methods (the others' maps are not checked).
            guard index < 4 else { continue }
            for (label, model) in randomised {
                let other = method.maps(model, inputs, classes)
                var absolute = 0.0
                var signed = 0.0
                for i in 0..<count {
                    let a = Array(maps[(i * size)..<((i + 1) * size)])
                    let b = Array(other[(i * size)..<((i + 1) * size)])
                    absolute += SaliencyChecks.spearman(a.map(abs), b.map(abs))
                    signed += SaliencyChecks.spearman(a, b)
                }
                print(
                    String(
                        format: "  spearman(trained, %@ randomised), mean over images: |map| %.3f, signed %.3f",
                        label, absolute / Double(count), signed / Double(count)))
            }
        }

        let ig = explainer.integratedGradients(inputs, baselines: zeros, classes: classes, steps: 64)
        let relativeDeltas = (0..<count).map { ig.deltas[$0] / max(1e-9, abs(ig.differences[$0])) }.sorted()
        print(
            String(
                format: "IG completeness delta / |score difference|: median %.4f, 95th percentile %.4f, max %.4f",
                relativeDeltas[count / 2], relativeDeltas[Int(Double(count - 1) * 0.95)], relativeDeltas[count - 1]))
        for (name, time) in seconds {
            print(String(format: "%d maps of %@ on 2 threads: %.2f s", timed, name, time))
        }
    }
}
