import ArgumentParser
import Explain
import Foundation
import NeuralNet
import Studies

extension Explanations.Method: ExpressibleByArgument {}
extension Explainer.Score: ExpressibleByArgument {}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Saliency maps: which pixels a model's score for a class depends on.",
        discussion: """
            Methods (Captum's names): gradient, gradient-x-input, integrated-gradients (--steps, \
            --baseline zero or blur; the completeness delta is printed), occlusion (--window, --stride; \
            forward passes only), grad-cam (models of images; --layer, default the last image layer). \
            The score is the class's logit (the output before a final softmax) or, with --score \
            log-probability, the log of its probability. --smooth-samples N averages a gradient method's \
            map over N copies with Gaussian noise of --smooth-noise times the pixels' range (SmoothGrad). \
            Inputs as for predict: \
            PNG or JPEG photos (prepared the same way) or IDX/CSV batches (--indices, default the first 8). \
            Writes explanations.png (each image, its map and the overlay) into --output. \
            With --model more than once, an ensemble's: the mean of its members' maps of the class \
            their mean probabilities choose.
            """)

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("The model file; more than once for an ensemble.", valueName: "file"))
    var modelPaths: [String] = []

    @Argument(help: ArgumentHelp("PNG or JPEG files, IDX image files or CSV files.", valueName: "input"))
    var inputs: [String]

    @Option(help: "gradient, gradient-x-input, integrated-gradients, occlusion or grad-cam.")
    var method: Explanations.Method = .integratedGradients

    @Option(
        name: .customLong("class"),
        help: ArgumentHelp("The class to explain, by index or name (default: the predicted one).", valueName: "class"))
    var classChoice: String?

    @Option(help: "Integrated gradients: the path's steps.")
    var steps = 64

    @Option(help: "Integrated gradients: zero (a black image) or blur (the image blurred).")
    var baseline = "zero"

    @Option(help: "What is explained: logit or log-probability.")
    var score: Explainer.Score = .logit

    @Option(help: "Gradient methods: average the map over this many noisy copies (SmoothGrad; 0: off).")
    var smoothSamples = 0

    @Option(help: "SmoothGrad: the noise's deviation, a share of the pixels' range.")
    var smoothNoise: Float = 0.15

    @Option(help: "Occlusion: the patch's side in pixels.")
    var window = 4

    @Option(help: "Occlusion: the patch's stride in pixels.")
    var stride = 2

    @Option(help: "Grad-CAM: the layer (its index in the model summary).")
    var layer: Int?

    @Option(help: ArgumentHelp("Which images of a batch file, such as 0,5,9.", valueName: "list"))
    var indices: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp("The folder for explanations.png (default: explanations).", valueName: "dir"))
    var output = "explanations"

    @Flag(help: "Print one JSON document with the raw maps.")
    var json = false

    func validate() throws {
        if modelPaths.isEmpty {
            throw ValidationError("--model: give the model file to explain (more than once for an ensemble)")
        }
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        guard ["zero", "blur"].contains(baseline) else {
            throw ValidationError("--baseline: expected zero or blur, found '\(baseline)'")
        }
        if let indices, parsedIndices(indices) == nil {
            throw ValidationError(
                "--indices: expected numbers 0 or more separated by commas, such as 0,5,9; found '\(indices)'")
        }
    }

    func parsedIndices(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() throws {
        var settings = Explanations.Settings(method: method)
        settings.classIndex = try classIndex()
        settings.steps = steps
        settings.blurredBaseline = baseline == "blur"
        settings.score = score
        if smoothSamples != 0 { settings.smoothing = Explainer.Smoothing(samples: smoothSamples, noise: smoothNoise) }
        settings.window = window
        settings.stride = stride
        settings.layer = layer
        settings.indices = indices.flatMap(parsedIndices)
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let result = try FlagNames.translating {
            try Explanations.run(
                modelFiles: modelPaths.map { URL(fileURLWithPath: $0) }, inputs: inputs, settings: settings,
                folder: folder)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        for item in result.items {
            var line = String(format: "%@: %@ %.3f", item.input, item.className, item.probability)
            if let delta = item.completenessDelta, let difference = item.scoreDifference {
                line += String(
                    format: " (completeness: the map sums to within %.4f of the score difference %.4f)", delta,
                    difference)
            }
            print(line)
        }
        if let picture = result.picture { print("Wrote \(picture)") }
    }

    /// `--class` as an index, or a class name of the model (an ensemble's members name the same).
    func classIndex() throws -> Int? {
        guard let classChoice else { return nil }
        if let index = Int(classChoice) { return index }
        let names = try ModelFile.read(from: URL(fileURLWithPath: modelPaths[0])).classNames
        guard let index = names.firstIndex(where: { $0.lowercased() == classChoice.lowercased() }) else {
            throw ValidationError(
                "--class: expected an index or one of \(names.joined(separator: ", ")); found '\(classChoice)'")
        }
        return index
    }
}
