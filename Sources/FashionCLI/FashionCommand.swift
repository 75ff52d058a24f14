import ArgumentParser

/// The root of the `fashion` command tree.
public struct FashionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fashion",
        abstract: "Train, evaluate, explain, export, quantize, tune and serve apparel-image classifiers on the CPU.",
        discussion: """
            Works on Fashion-MNIST out of the box (Debian's dataset-fashion-mnist, or \
            `fashion data fetch`), on any MNIST-style dataset in IDX or CSV form, on folders of product \
            photos (PNG or JPEG, any size, grayscale or colour) and on manifests of tagged photos.
            """,
        subcommands: [
            DataCommand.self, TrainCommand.self, StudyCommand.self, TuneCommand.self, EvaluateCommand.self,
            PredictCommand.self, ExplainCommand.self, ExportCommand.self, QuantizeCommand.self, ServeCommand.self,
            RunsCommand.self,
        ])

    public init() {}

    /// Runs the command line; a help request also names the page of the manual (Docs/) that
    /// covers the command.
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success, message.contains("USAGE:") {
                var text = message
                while text.hasSuffix("\n") { text.removeLast() }
                print(text)
                print("\nManual: \(manualPage(for: Array(CommandLine.arguments.dropFirst())))")
                exit(withError: nil)
            }
            exit(withError: error)
        }
    }

    /// The page of Docs/ (in the source tree) for the command that `arguments` name.
    static func manualPage(for arguments: [String]) -> String {
        let words = arguments.filter { !$0.hasPrefix("-") }.drop { $0 == "help" }
        switch (words.first, words.dropFirst().first) {
        case ("data", "make-outfits"): return "Docs/tags.md"
        case ("data", _): return "Docs/data.md"
        case ("train", _): return "Docs/training.md"
        case ("study", _): return "Docs/training.md#experiment-files-and-studies"
        case ("tune", _): return "Docs/tuning.md"
        case ("evaluate", _), ("predict", _), ("runs", _): return "Docs/evaluation.md"
        case ("explain", _): return "Docs/explanations.md"
        case ("export", _): return "Docs/export.md"
        case ("quantize", _): return "Docs/quantization.md"
        case ("serve", _): return "Docs/serving.md"
        default: return "README.md, then Docs/ (a page for each task)"
        }
    }
}
