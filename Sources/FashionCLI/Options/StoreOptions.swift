import ArgumentParser
import Foundation
import RunStore
import _PostgresStore
import _SQLiteStore

/// Where runs are recorded: `--store FILE|postgresql://...`, else FASHION_STORE, else
/// runs/store.sqlite.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The run store to record in: an SQLite file, or a PostgreSQL database shared by several machines "
                + "(postgresql://USER@HOST[:PORT]/DB) (default: FASHION_STORE or runs/store.sqlite).",
            valueName: "store"))
    var store: String?

    @Flag(name: .customLong("no-store"), help: "Do not record this run.")
    var noStore = false

    func open() throws -> (any RunStorage)? {
        noStore ? nil : try Self.open(store)
    }

    /// The store `place` names (a PostgreSQL address or an SQLite file), or the default one.
    static func open(
        _ place: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any RunStorage {
        let place = place ?? environment["FASHION_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        if let place, PostgresLocation.isPostgres(place) {
            return try PostgresRunStore(url: place, environment: environment)
        }
        return try SQLiteRunStore(url: place.map { URL(fileURLWithPath: $0) } ?? SQLiteRunStore.defaultURL())
    }
}
