import ArgumentParser
import FashionData
import Foundation
import NeuralNet
import Studies

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            "Judge a model file on a test set (Fashion-MNIST, IDX, CSV, photo folders): metrics, pictures, a report.",
        discussion: """
            Give --model more than once to judge an ensemble: each image's probabilities are the mean of \
            the models'. --on validation judges on the validation split the models held out (their \
            files record it); an ensemble's members must have held out the same images (fashion train \
            --split-seed).
            """)

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case test, validation
    }

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp(
            "The model file (safetensors) that fashion train or study wrote; more than once for an ensemble.",
            valueName: "file"))
    var modelPaths: [String] = []

    @Option(
        name: .customLong("on"),
        help: ArgumentHelp(
            "The dataset's test set, or the validation split the models held out of its training set.",
            valueName: "split"))
    var split: Split = .test

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
        if modelPaths.isEmpty {
            throw ValidationError("--model: give the model file to judge (more than once for an ensemble)")
        }
        if split == .validation && (images != nil || csv != nil) {
            throw ValidationError(
                "--on validation judges on the models' own validation split; not with --images or --csv")
        }
        if (images == nil) != (labels == nil) { throw ValidationError("--images and --labels go together") }
        if images != nil && csv != nil { throw ValidationError("give --images/--labels or --csv, not both") }
    }

    func run() throws {
        let models = modelPaths.map { URL(fileURLWithPath: $0) }
        let set: LabeledImages
        if let images, let labels {
            set = try IDX.read(images: URL(fileURLWithPath: images), labels: URL(fileURLWithPath: labels))
        } else if let csv {
            set = try CSV.read(at: URL(fileURLWithPath: csv))
        } else {
            // Pictures are prepared as the (first) model was trained; an ensemble's members must agree.
            let preprocessing = try ModelFile.read(from: models[0]).preprocessing
            let loaded = try dataset.load(preparedFor: preprocessing, model: modelPaths[0])
            if split == .validation {
                set = try ModelEvaluation.heldOutImages(modelFiles: models, train: loaded.train)
            } else {
                set = loaded.test
            }
        }
        let source = images ?? csv ?? (split == .validation ? "the validation split" : "the test set")
        let result = try ModelEvaluation.run(
            modelFiles: models, images: set, source: source,
            folder: output.map { URL(fileURLWithPath: $0) }, flipAveraging: flipAveraging.flipAveraging,
            predictions: predictions.map { URL(fileURLWithPath: $0) })
        if json {
            print(String(decoding: result.document, as: UTF8.self))
        } else {
            for path in modelPaths {
                if let done = try ModelFile.read(from: URL(fileURLWithPath: path)).quantization {
                    print(
                        "\(path) is quantized, \(done.precision): \(done.layers) layer\(done.layers == 1 ? "" : "s") "
                            + "8-bit, calibrated on \(done.calibrationImages) training images\n")
                }
            }
            print("\(result.name) on \(set.count) \(result.tagging == nil ? "" : "tagged ")images:\n")
            print(result.text)
            if let predictions { print("\nPredictions: \(predictions)") }
            print("\nPictures and report: \(result.folder.path)")
        }
    }
}
