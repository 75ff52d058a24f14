import ArgumentParser
import Foundation
import RunStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List, show and compare the recorded runs.",
        subcommands: [RunsList.self, RunsShow.self, RunsCompare.self])
}

private func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

private func format(_ date: Date?) -> String {
    guard let date else { return "-" }
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

private func metricsText(_ metrics: [String: Double]) -> String {
    metrics.keys.sorted().map { String(format: "%@ %.4f", $0, metrics[$0]!) }.joined(separator: ", ")
}

struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every recorded run, newest first.")
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to list") }
        let runs = try database.runs()
        if json { try printJSON(runs); return }
        if runs.isEmpty { print("No runs recorded in \(database.location)."); return }
        for run in runs {
            let label = [run.kind, run.study, run.name, run.seed.map { "seed \($0)" }].compactMap { $0 }.joined(separator: " ")
            print(String(format: "%4lld  %@  %@  %@  %@", run.id, format(run.startedAt), run.status, label, metricsText(run.finalMetrics)))
        }
    }
}

struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One run: configuration, epochs, metrics, files.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The run's id (see fashion runs list).") var id: Int64
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to show") }
        let details = try database.details(of: id)
        if json { try printJSON(details); return }
        let run = details.run
        print("Run \(id): \(run.kind) \(run.name)\(run.study.map { " (study \($0))" } ?? "")\(run.seed.map { ", seed \($0)" } ?? "")")
        print("Started \(format(run.startedAt)), ended \(format(run.endedAt)), \(run.status); code \(run.codeVersion), \(run.threads) thread(s)")
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

struct RunsCompare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Two runs side by side.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The first run's id.") var first: Int64
    @Argument(help: "The second run's id.") var second: Int64
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to compare") }
        let a = try database.details(of: first), b = try database.details(of: second)
        if json { try printJSON([a, b]); return }
        func row(_ name: String, _ x: String, _ y: String) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0) + x.padding(toLength: 28, withPad: " ", startingAt: 0) + y
        }
        print(row("", "run \(first)", "run \(second)"))
        print(row("name", a.run.name, b.run.name))
        print(row("kind", a.run.kind, b.run.kind))
        print(row("epochs", "\(a.epochs.count)", "\(b.epochs.count)"))
        print(row("seconds", String(format: "%.2f", a.epochs.reduce(0) { $0 + $1.seconds }), String(format: "%.2f", b.epochs.reduce(0) { $0 + $1.seconds })))
        for key in Set(a.run.finalMetrics.keys).union(b.run.finalMetrics.keys).sorted() {
            print(row(key, a.run.finalMetrics[key].map { String(format: "%.4f", $0) } ?? "-", b.run.finalMetrics[key].map { String(format: "%.4f", $0) } ?? "-"))
        }
        print(row("configuration same", a.run.configuration == b.run.configuration ? "yes" : "no", ""))
    }
}
