import ArgumentParser
import FashionData
import Foundation
import NeuralNet
import Studies

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Judge a model file on the test set (or any IDX or CSV set): metrics, pictures, a report.")

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("The model file (safetensors) that fashion train or study wrote.", valueName: "file"))
    var modelPath: String

    @OptionGroup var dataset: DatasetOptions

    @Option(
        help: ArgumentHelp(
            "An IDX image file to evaluate on instead of the test set (with --labels).", valueName: "file"))
    var images: String?

    @Option(help: ArgumentHelp("The IDX label file that goes with --images.", valueName: "file"))
    var labels: String?

    @Option(
        help: ArgumentHelp("A CSV file (label,pixel1,...) to evaluate on instead of the test set.", valueName: "file"))
    var csv: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp("Folder for the pictures and report (default: beside the model file).", valueName: "dir"))
    var output: String?

    @OptionGroup var flipAveraging: FlipAveragingOption

    @Flag(help: "Print the metrics as one JSON document.")
    var json = false

    func validate() throws {
        if (images == nil) != (labels == nil) { throw ValidationError("--images and --labels go together") }
        if images != nil && csv != nil { throw ValidationError("give --images/--labels or --csv, not both") }
    }

    func run() throws {
        let modelURL = URL(fileURLWithPath: modelPath)
        let file = try ModelFile.read(from: modelURL)
        let set: LabeledImages
        if let images, let labels {
            set = try IDX.read(images: URL(fileURLWithPath: images), labels: URL(fileURLWithPath: labels))
        } else if let csv {
            set = try CSV.read(at: URL(fileURLWithPath: csv))
        } else {
            set = try dataset.load().test
        }
        let image = file.preprocessing.image
        guard set.rows == image.height, set.columns == image.width, image.channels == 1 else {
            throw ValidationError(
                "the model takes \(image.height)x\(image.width) images; these are \(set.rows)x\(set.columns)")
        }
        try set.validateLabels(classCount: file.classNames.count, path: images ?? csv ?? "the test set")
        // "runs/x/model3/model.safetensors" is called model3.
        let stem = modelURL.deletingPathExtension().lastPathComponent
        let name = stem == "model" ? modelURL.deletingLastPathComponent().lastPathComponent : stem
        let folder =
            output.map { URL(fileURLWithPath: $0) }
            ?? modelURL.deletingLastPathComponent().appendingPathComponent("\(name)-evaluation")
        let evaluation = try Evaluation.run(
            name: name, model: file.model, classNames: file.classNames, images: set, folder: folder,
            flipAveraging: flipAveraging.resolved(for: file))
        let document = try evaluation.write(name: name, imageCount: set.count, to: folder)
        if json {
            print(String(decoding: document, as: UTF8.self))
        } else {
            print("\(name) on \(set.count) images:\n")
            print(evaluation.text)
            print("\nPictures and report: \(folder.path)")
        }
    }
}
