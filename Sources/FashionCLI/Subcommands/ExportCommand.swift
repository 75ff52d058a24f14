import ArgumentParser
import Export
import Foundation
import NeuralNet

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model file as ONNX (for onnxruntime and others) with a model card.",
        discussion: """
            The ONNX file (IR 10, opset 21) takes the model's own input, [N, height, width, channels] \
            floats in [0, 1] (NHWC) for a model of images, [N, features] otherwise, and returns \
            the class probabilities, [N, classes]. FILE.onnx.json beside it says so, with the class \
            names and the preprocessing; they are in the file's metadata too. With --model more than \
            once the graph is the ensemble's: the mean of the members' probabilities, as fashion \
            evaluate, predict and serve compute it.
            """)

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("The model file (safetensors); more than once for an ensemble.", valueName: "file"))
    var modelPaths: [String] = []

    @Option(help: ArgumentHelp("The format: onnx.", valueName: "name"))
    var format = "onnx"

    @Option(
        name: [.short, .long], help: ArgumentHelp("Where to write the file (its folder must exist).", valueName: "file")
    )
    var output: String

    @Option(
        name: .customLong("test-accuracy"),
        help: ArgumentHelp(
            "The model's test accuracy, for the model card (as fashion evaluate printed it).", valueName: "fraction"))
    var testAccuracy: Double?

    func validate() throws {
        guard !modelPaths.isEmpty else {
            throw ValidationError("--model: give the model file (more than once for an ensemble)")
        }
        guard format == "onnx" else { throw ValidationError("--format: expected onnx, found '\(format)'") }
        if let testAccuracy, !(0...1).contains(testAccuracy) {
            throw ValidationError("--test-accuracy: expected a fraction in [0, 1], found \(testAccuracy)")
        }
    }

    @OptionGroup var flipAveraging: FlipAveragingOption

    func run() throws {
        let url = URL(fileURLWithPath: output)
        let card = try ONNXExport.write(
            ensemble: modelPaths.map { URL(fileURLWithPath: $0) }, to: url, testAccuracy: testAccuracy,
            flipAveraging: flipAveraging.flipAveraging)
        print("Wrote \(url.path) (ONNX IR \(card.irVersion), opset \(card.opset)) and \(url.path).json")
        print(
            "Input '\(card.input.name)' [\(card.input.shape.joined(separator: ", "))] \(card.input.elementType): "
                + "\(card.input.meaning)"
        )
        print("Output '\(card.output.name)' [\(card.output.shape.joined(separator: ", "))]: \(card.output.meaning)")
    }
}
