import ArgumentParser
import FashionData
import Foundation
import Inference
import NeuralNet

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify images with a model file: PNG or JPEG pictures of any size, or IDX/CSV batches.",
        discussion: """
            Pictures are brought to the dataset's form first: grayscale, light object on a dark \
            background (dark-on-light photos are inverted), trimmed, fitted into the model's size \
            with the aspect kept, centred. A file that cannot be read is reported and the others \
            are still classified; the exit status is 1 if any failed. With --model more than once \
            the models are one classifier, the mean of their probabilities (as fashion evaluate \
            judges an ensemble); they must take the same images and name the same classes.
            """)

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("The model file; more than once for an ensemble.", valueName: "file"))
    var modelPaths: [String] = []

    @Argument(help: ArgumentHelp("PNG or JPEG files, IDX image files or CSV files.", valueName: "input"))
    var inputs: [String]

    @Option(help: "How many classes to show per input.")
    var top = 3

    @OptionGroup var flipAveraging: FlipAveragingOption

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard !modelPaths.isEmpty else {
            throw ValidationError("--model: give the model file (more than once for an ensemble)")
        }
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        guard top >= 1 else { throw ValidationError("--top: expected at least 1, found \(top)") }
    }

    func run() throws {
        let files = try modelPaths.map { try ModelFile.read(from: URL(fileURLWithPath: $0)) }
        let classifier = try Classifier(ensemble: files, paths: modelPaths, flipAveraging: flipAveraging.flipAveraging)
        let result = Prediction.run(classifier: classifier, inputs: inputs, top: min(top, classifier.classCount))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            func list(_ scores: [ClassScore]) -> String {
                scores.map { "\($0.className) " + String(format: "%.3f", $0.probability) }.joined(separator: ", ")
            }
            for item in result.predictions {
                if let tags = item.tags {
                    let text =
                        tags.isEmpty ? "no tag over its threshold (most probable: \(list(item.top)))" : list(tags)
                    print("\(item.input): \(text)")
                } else {
                    print("\(item.input): \(list(item.top))")
                }
            }
            for failure in result.failures {
                FileHandle.standardError.write(Data("error: \(failure.input): \(failure.message)\n".utf8))
            }
        }
        if !result.failures.isEmpty { throw ExitCode(1) }
    }
}
