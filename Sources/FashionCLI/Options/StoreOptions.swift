import ArgumentParser
import Foundation
import RunStore
import _SQLiteStore

/// Where runs are recorded: `--store FILE`, else FASHION_STORE, else runs/store.sqlite.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The run store (SQLite) to record in (default: FASHION_STORE or runs/store.sqlite).", valueName: "file"))
    var store: String?

    @Flag(name: .customLong("no-store"), help: "Do not record this run.")
    var noStore = false

    func open() throws -> (any RunStorage)? {
        noStore ? nil : try Self.open(store)
    }

    /// The SQLite store at `path`, or the default one.
    static func open(_ path: String?) throws -> any RunStorage {
        try SQLiteRunStore(url: path.map { URL(fileURLWithPath: $0) } ?? SQLiteRunStore.defaultURL())
    }
}
