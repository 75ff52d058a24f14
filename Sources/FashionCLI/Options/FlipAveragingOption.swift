import ArgumentParser
import NeuralNet

/// `--[no-]flip-averaging` for commands that read a model file: the file's own training
/// options decide unless the flag is given.
struct FlipAveragingOption: ParsableArguments {
    @Flag(
        name: .customLong("flip-averaging"), inversion: .prefixedNo,
        help: "Average each image's probabilities with its mirror image's (default: as the model was trained).")
    var flipAveraging: Bool?
}
