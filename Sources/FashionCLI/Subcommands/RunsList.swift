import ArgumentParser
import Foundation
import RunStore

struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every recorded run, newest first.")
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to list") }
        let runs = try database.runs()
        if json {
            try printJSON(runs)
            return
        }
        if runs.isEmpty {
            print("No runs recorded in \(database.location).")
            return
        }
        for run in runs {
            let label = [run.kind, run.study, run.name, run.seed.map { "seed \($0)" }].compactMap { $0 }.joined(
                separator: " ")
            print(
                String(
                    format: "%4lld  %@  %@  %@  %@", run.id, format(run.startedAt), run.status, label,
                    metricsText(run.finalMetrics)))
        }
    }
}
