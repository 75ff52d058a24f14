import Explain
import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import Reports
import _Files

/// `fashion explain` as one library call: saliency maps for the images of some input files,
/// a picture of them (`explanations.png`: each image, its map and the two overlaid) and,
/// when asked, the raw maps as JSON. An ensemble's maps are the mean of its members' (as
/// `fashion evaluate` and `serve` average them), each member explaining the class the
/// ensemble's mean probabilities choose.
public struct Explanations: Codable, Sendable {
    /// The saliency methods, by Captum's names.
    public enum Method: String, Codable, Sendable, CaseIterable {
        case gradient
        case gradientTimesInput = "gradient-x-input"
        case integratedGradients = "integrated-gradients"
        case occlusion
        case gradCAM = "grad-cam"
    }

    /// What to explain and how: method, class, score, steps, window, smoothing.
    public struct Settings: Sendable {
        public var method: Method
        /// The class to explain (index); nil explains each image's predicted class.
        public var classIndex: Int?
        /// Integrated gradients: the path's intervals, and the baseline.
        public var steps = 64
        public var blurredBaseline = false
        /// The number explained: the class's logit, or the log of its probability.
        public var score = Explainer.Score.logit
        /// Gradient methods: SmoothGrad, the map averaged over noisy copies (nil: none).
        public var smoothing: Explainer.Smoothing?
        /// Occlusion: the patch's side and stride in pixels.
        public var window = 4
        public var stride = 2
        /// Grad-CAM: the layer (default: the last whose output is an image).
        public var layer: Int?
        /// Which images of a batch file (IDX or CSV) to explain; nil: the first 8.
        public var indices: [Int]?

        public init(method: Method) { self.method = method }
    }

    /// One explained image: its class, probability, map and completeness.
    public struct Item: Codable, Sendable {
        /// The file, with `#index` for an image of a batch.
        public let input: String
        public let classIndex: Int
        public let className: String
        public let probability: Double
        /// Integrated gradients: |Σ map − (score(x) − score(baseline))|, and that difference.
        public let completenessDelta: Double?
        public let scoreDifference: Double?
        /// One value per input value (height·width·channels), NHWC.
        public let map: [Float]
    }

    public let method: Method
    /// What the maps explain, and the SmoothGrad copies (0: none).
    public let score: Explainer.Score
    public let smoothSamples: Int
    /// The model file, or an ensemble's files joined by `+`.
    public let model: String
    public let items: [Item]
    /// The picture, when one was written.
    public let picture: String?

    public static func run(
        modelFile: URL, inputs: [String], settings: Settings, folder: URL?
    ) throws -> Explanations {
        try run(modelFiles: [modelFile], inputs: inputs, settings: settings, folder: folder)
    }

    /// The explanations of one model, or of an ensemble of `modelFiles` (the mean of the
    /// members' maps; integrated gradients' completeness then holds for the mean map and the
    /// mean of the members' score differences).
    public static func run(
        modelFiles: [URL], inputs: [String], settings: Settings, folder: URL?
    ) throws -> Explanations {
        guard !modelFiles.isEmpty else {
            throw StudyError.invalidField(name: "model", reason: "expected at least one model file, found none")
        }
        let members = try modelFiles.map { try ModelFile.read(from: $0) }
        try ModelEvaluation.checkEnsemble(members, files: modelFiles)
        let file = members[0]
        let classifier = Classifier(file: file, flipAveraging: false)
        let explainers = members.map { Explainer(model: $0.model, score: settings.score) }
        let shape = file.preprocessing.image
        let range = file.preprocessing.scaling.scale(255) - file.preprocessing.scaling.scale(0)
        if let smoothing = settings.smoothing {
            guard [.gradient, .gradientTimesInput, .integratedGradients].contains(settings.method) else {
                throw StudyError.invalidField(
                    name: "smoothSamples",
                    reason: "SmoothGrad is for gradient, gradient-x-input and integrated-gradients, not "
                        + settings.method.rawValue)
            }
            guard (1...256).contains(smoothing.samples) else {
                throw StudyError.invalidField(
                    name: "smoothSamples", reason: "expected 1...256 noisy copies, found \(smoothing.samples)")
            }
            guard smoothing.noise.isFinite, smoothing.noise >= 0, smoothing.noise <= 1 else {
                throw StudyError.invalidField(
                    name: "smoothNoise",
                    reason: "expected a deviation of 0...1 times the inputs' range, found \(smoothing.noise)")
            }
        }
        if let classIndex = settings.classIndex, !(0..<file.classNames.count).contains(classIndex) {
            throw StudyError.invalidField(
                name: "class",
                reason: "expected a class of the model, 0...\(file.classNames.count - 1) or a name, found \(classIndex)"
            )
        }
        var names = [String]()
        var pixels = [[UInt8]]()
        for input in inputs {
            let images = try Prediction.images(in: input, for: classifier)
            let chosen = images.count == 1 ? [0] : (settings.indices ?? Array(0..<min(8, images.count)))
            for index in chosen {
                guard images.indices.contains(index) else {
                    throw StudyError.invalidField(
                        name: "indices", reason: "\(input) has \(images.count) images; there is no image \(index)")
                }
                names.append(images.count == 1 ? input : "\(input)#\(index)")
                pixels.append(images[index])
            }
        }
        let values = pixels.flatMap { $0.map { file.preprocessing.scaling.scale($0) } }
        let probabilities = Ensemble.mean(explainers.map { $0.probabilities(values, count: names.count) })
        let classes = (0..<names.count).map { row in
            settings.classIndex ?? (0..<file.classNames.count).max {
                probabilities[row * file.classNames.count + $0] < probabilities[row * file.classNames.count + $1]
            }!
        }
        var memberMaps = [[Float]]()
        var memberDifferences = [[Double]]()
        for explainer in explainers {
            let (maps, differences) = try Self.maps(
                of: explainer, values: values, classes: classes, shape: shape, range: range, settings: settings)
            memberMaps.append(maps)
            if let differences { memberDifferences.append(differences) }
        }
        let maps = Ensemble.mean(memberMaps)
        let size = shape.valueCount
        // Completeness of the mean map: its sum against the mean of the members' differences.
        var deltas: [Double]?
        var differences: [Double]?
        if !memberDifferences.isEmpty {
            let mean = names.indices.map { i in
                memberDifferences.reduce(0.0) { $0 + $1[i] } / Double(memberDifferences.count)
            }
            differences = mean
            deltas = Explainer.completenessDeltas(maps, differences: mean)
        }
        let classCount = file.classNames.count
        let items = names.indices.map { i in
            Item(
                input: names[i], classIndex: classes[i], className: file.classNames[classes[i]],
                probability: Double(probabilities[i * classCount + classes[i]]), completenessDelta: deltas?[i],
                scoreDifference: differences?[i], map: Array(maps[(i * size)..<((i + 1) * size)]))
        }
        var picture: String?
        if let folder {
            let rows = items.enumerated().map { index, item in
                SaliencyPicture.Row(
                    image: Self.grayscale(pixels[index], channels: shape.channels),
                    map: Self.perPixel(item.map, channels: shape.channels),
                    caption: String(
                        format: "%@: %@ %.2f", (item.input as NSString).lastPathComponent, item.className,
                        item.probability))
            }
            let canvas = SaliencyPicture(
                title: "\(settings.method.rawValue): image, map, overlay", rows: rows, height: shape.height,
                width: shape.width
            ).render()
            let url = folder.appendingPathComponent("explanations.png")
            try AtomicFile.write(PNGEncoder.encode(canvas), to: url)
            picture = url.path
        }
        return Explanations(
            method: settings.method, score: settings.score, smoothSamples: settings.smoothing?.samples ?? 0,
            model: modelFiles.map(\.path).joined(separator: "+"), items: items, picture: picture)
    }

    /// One model's maps of `values` for `classes` by `settings.method`, and with integrated
    /// gradients each image's score difference (what its map should sum to).
    static func maps(
        of explainer: Explainer, values: [Float], classes: [Int], shape: ImageShape, range: Float,
        settings: Settings
    ) throws -> (maps: [Float], differences: [Double]?) {
        func smoothing(_ method: ([Float]) -> [Float]) -> [Float] {
            guard let smoothing = settings.smoothing else { return method(values) }
            return explainer.smoothed(values, smoothing: smoothing, range: range, method)
        }
        switch settings.method {
        case .gradient: return (smoothing { explainer.gradient($0, classes: classes) }, nil)
        case .gradientTimesInput: return (smoothing { explainer.gradientTimesInput($0, classes: classes) }, nil)
        case .integratedGradients:
            guard settings.steps >= 1, settings.steps <= 4096 else {
                throw StudyError.invalidField(name: "steps", reason: "expected 1...4096, found \(settings.steps)")
            }
            let baselines =
                settings.blurredBaseline
                ? Self.blurred(values, shape: shape) : [Float](repeating: 0, count: values.count)
            if let smoothing = settings.smoothing {
                let result = explainer.smoothIntegratedGradients(
                    values, baselines: baselines, classes: classes, steps: settings.steps, smoothing: smoothing,
                    range: range)
                return (result.maps, result.differences)
            }
            let result = explainer.integratedGradients(
                values, baselines: baselines, classes: classes, steps: settings.steps)
            return (result.maps, result.differences)
        case .occlusion:
            guard settings.window >= 1, settings.window <= max(shape.height, shape.width), settings.stride >= 1 else {
                throw StudyError.invalidField(
                    name: "window",
                    reason:
                        "expected a window of 1...\(max(shape.height, shape.width)) pixels and a stride of 1 or more")
            }
            return (
                explainer.occlusion(
                    values, classes: classes, shape: shape, window: settings.window, stride: settings.stride), nil
            )
        case .gradCAM:
            guard let layer = settings.layer ?? explainer.lastImageLayer else {
                throw StudyError.invalidField(
                    name: "method", reason: "grad-cam needs a model with a layer whose output is an image")
            }
            do { return (try explainer.gradCAM(values, classes: classes, layer: layer), nil) } catch {
                if case .invalid(let field, let reason) = error {
                    throw StudyError.invalidField(name: field, reason: reason)
                }
                throw error
            }
        }
    }

    /// A pixel's channels summed (absolute values), one value a pixel.
    static func perPixel(_ map: [Float], channels: Int) -> [Float] {
        guard channels > 1 else { return map }
        return (0..<(map.count / channels)).map { p in
            (0..<channels).reduce(Float(0)) { $0 + abs(map[p * channels + $1]) }
        }
    }

    static func grayscale(_ pixels: [UInt8], channels: Int) -> [UInt8] {
        guard channels > 1 else { return pixels }
        return (0..<(pixels.count / channels)).map { p in
            UInt8((0..<channels).reduce(0) { $0 + Int(pixels[p * channels + $1]) } / channels)
        }
    }

    /// The images blurred (a 5x5 box, per channel): a baseline without the details.
    public static func blurred(_ values: [Float], shape: ImageShape) -> [Float] {
        var out = values
        let size = shape.valueCount
        for image in 0..<(values.count / size) {
            for y in 0..<shape.height {
                for x in 0..<shape.width {
                    for c in 0..<shape.channels {
                        var sum: Float = 0
                        var count: Float = 0
                        for yy in max(0, y - 2)...min(shape.height - 1, y + 2) {
                            for xx in max(0, x - 2)...min(shape.width - 1, x + 2) {
                                sum += values[image * size + (yy * shape.width + xx) * shape.channels + c]
                                count += 1
                            }
                        }
                        out[image * size + (y * shape.width + x) * shape.channels + c] = sum / count
                    }
                }
            }
        }
        return out
    }
}
