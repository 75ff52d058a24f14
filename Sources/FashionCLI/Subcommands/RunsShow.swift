import ArgumentParser
import Foundation
import RunStore

struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One run: configuration, epochs, metrics, files.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The run's id (see fashion runs list).") var id: Int64
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to show") }
        let details = try database.details(of: id)
        if json {
            try printJSON(details)
            return
        }
        let run = details.run
        print(
            "Run \(id): \(run.kind) "
                + "\(run.name)\(run.study.map { " (study \($0))" } ?? "")\(run.seed.map { ", seed \($0)" } ?? "")"
        )
        print(
            "Started \(format(run.startedAt)), ended \(format(run.endedAt)), \(run.status); code \(run.codeVersion), "
                + "\(run.threads) thread(s)"
        )
        print("Configuration: \(run.configuration)")
        print("Final metrics: \(metricsText(run.finalMetrics))")
        for e in details.epochs {
            // The classifier's four first, in Keras's order, then any others by name.
            let first = ["loss", "accuracy", "val_loss", "val_accuracy"]
            let names = first.filter { e.metrics[$0] != nil } + e.metrics.keys.filter { !first.contains($0) }.sorted()
            let values = names.map { String(format: "  %@ %.4f", $0, e.metrics[$0] ?? .nan) }.joined()
            print(String(format: "  epoch %3d  %.2fs", e.epoch, e.seconds) + values)
        }
        for artifact in details.artifacts { print("  \(artifact.kind): \(artifact.path)") }
    }
}
