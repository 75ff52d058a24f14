import ArgumentParser
import Foundation
import RunStore

/// Where runs are recorded: `--store FILE`, else FASHION_STORE, else runs/store.sqlite.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The run store (SQLite) to record in (default: FASHION_STORE or runs/store.sqlite).", valueName: "file"))
    var store: String?

    @Flag(name: .customLong("no-store"), help: "Do not record this run.")
    var noStore = false

    func open() throws -> RunDatabase? {
        noStore ? nil : try RunDatabase(url: store.map { URL(fileURLWithPath: $0) } ?? RunDatabase.defaultURL())
    }
}

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
        let runs = try database.list()
        if json { try printJSON(runs); return }
        if runs.isEmpty { print("No runs recorded in \(database.path)."); return }
        for run in runs {
            let label = [run.kind, run.study, run.name, run.seed.map { "seed \($0)" }].compactMap { $0 }.joined(separator: " ")
            print(String(format: "%4lld  %@  %@  %@  %@", run.id ?? 0, format(run.startedAt), run.status, label, metricsText(run.metrics)))
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
        print("Final metrics: \(metricsText(run.metrics))")
        for e in details.epochs {
            var line = String(format: "  epoch %3d  %.2fs  loss %.4f  accuracy %.4f", e.epoch, e.seconds, e.loss, e.accuracy)
            if let l = e.validationLoss, let a = e.validationAccuracy { line += String(format: "  val_loss %.4f  val_accuracy %.4f", l, a) }
            print(line)
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
        for key in Set(a.run.metrics.keys).union(b.run.metrics.keys).sorted() {
            print(row(key, a.run.metrics[key].map { String(format: "%.4f", $0) } ?? "-", b.run.metrics[key].map { String(format: "%.4f", $0) } ?? "-"))
        }
        print(row("configuration same", a.run.configuration == b.run.configuration ? "yes" : "no", ""))
    }
}
