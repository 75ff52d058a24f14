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

    @Option(
        help: ArgumentHelp(
            "Write one row an image (index, label or labels, then p_<class> for every class) to this CSV file.",
            valueName: "file.csv"))
    var predictions: String?

    func validate() throws {
        if (images == nil) != (labels == nil) { throw ValidationError("--images and --labels go together") }
        if images != nil && csv != nil { throw ValidationError("give --images/--labels or --csv, not both") }
    }

    func run() throws {
        let set: LabeledImages
        if let images, let labels {
            set = try IDX.read(images: URL(fileURLWithPath: images), labels: URL(fileURLWithPath: labels))
        } else if let csv {
            set = try CSV.read(at: URL(fileURLWithPath: csv))
        } else {
            set = try dataset.load().test
        }
        let result = try ModelEvaluation.run(
            modelFile: URL(fileURLWithPath: modelPath), images: set, source: images ?? csv ?? "the test set",
            folder: output.map { URL(fileURLWithPath: $0) }, flipAveraging: flipAveraging.flipAveraging,
            predictions: predictions.map { URL(fileURLWithPath: $0) })
        if json {
            print(String(decoding: result.document, as: UTF8.self))
        } else {
            print("\(result.name) on \(set.count) \(result.tagging == nil ? "" : "tagged ")images:\n")
            print(result.text)
            if let predictions { print("\nPredictions: \(predictions)") }
            print("\nPictures and report: \(result.folder.path)")
        }
    }
}
