import ArgumentParser

/// The root of the `fashion` command tree.
public struct FashionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fashion",
        abstract: "Train, evaluate and explain apparel-image classifiers on the CPU.",
        discussion: """
            Works on Fashion-MNIST out of the box (Debian's dataset-fashion-mnist, or \
            `fashion data fetch`), and on any MNIST-style dataset in IDX or CSV form.
            """,
        subcommands: [
            DataCommand.self, TrainCommand.self, StudyCommand.self, TuneCommand.self, EvaluateCommand.self,
            PredictCommand.self, ExplainCommand.self, ExportCommand.self, ServeCommand.self, RunsCommand.self,
        ])

    public init() {}
}
