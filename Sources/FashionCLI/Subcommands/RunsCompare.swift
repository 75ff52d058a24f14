import ArgumentParser
import Foundation
import RunStore

struct RunsCompare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Two runs side by side.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The first run's id.") var first: Int64
    @Argument(help: "The second run's id.") var second: Int64
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        guard let database = try store.open() else { throw ValidationError("--no-store: nothing to compare") }
        let a = try database.details(of: first)
        let b = try database.details(of: second)
        if json {
            try printJSON([a, b])
            return
        }
        func row(_ name: String, _ x: String, _ y: String) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + x.padding(toLength: 28, withPad: " ", startingAt: 0) + y
        }
        print(row("", "run \(first)", "run \(second)"))
        print(row("name", a.run.name, b.run.name))
        print(row("kind", a.run.kind, b.run.kind))
        print(row("epochs", "\(a.epochs.count)", "\(b.epochs.count)"))
        print(
            row(
                "seconds", String(format: "%.2f", a.epochs.reduce(0) { $0 + $1.seconds }),
                String(format: "%.2f", b.epochs.reduce(0) { $0 + $1.seconds })))
        for key in Set(a.run.finalMetrics.keys).union(b.run.finalMetrics.keys).sorted() {
            print(
                row(
                    key, a.run.finalMetrics[key].map { String(format: "%.4f", $0) } ?? "-",
                    b.run.finalMetrics[key].map { String(format: "%.4f", $0) } ?? "-"))
        }
        print(row("configuration same", a.run.configuration == b.run.configuration ? "yes" : "no", ""))
    }
}
