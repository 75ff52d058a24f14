import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The record of every training run and study: an embedded SQLite database (through GRDB)
/// with each run's configuration, per-epoch metrics, final metrics, artifacts, start and end
/// time, code version and thread count.
///
/// SQLite in WAL mode with a busy timeout lets several processes write to one store at once:
/// each write is a short transaction, so none corrupts the file or loses a run.
public final class RunDatabase: Sendable {
    public static let codeVersion = "0.1.0"
    public let path: String
    let database: DatabasePool

    /// Opens (creating if needed) the store at `url`.
    ///
    /// Opening is serialised across processes by an advisory lock on `<store>.lock`: switching
    /// a new file to WAL mode and creating its tables are not safe to race (two processes
    /// opening a fresh store at once got "database is locked" or "table already exists").
    public init(url: URL) throws(RunDatabaseError) {
        path = url.path
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let lock = open(url.path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard lock >= 0 else {
                throw RunDatabaseError(path: url.path, reason: "cannot create the lock file \(url.path).lock: \(String(cString: strerror(errno)))")
            }
            defer { close(lock) }
            while flock(lock, LOCK_EX) != 0, errno == EINTR {}
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            database = try DatabasePool(path: url.path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw RunDatabaseError(path: url.path, reason: "cannot open the run store: \(error)")
        }
    }

    /// `runs/store.sqlite` in the working folder, or `FASHION_STORE`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["FASHION_STORE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: "runs/store.sqlite")
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.column("study", .text)
                t.column("seed", .integer)
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("status", .text).notNull()
                t.column("codeVersion", .text).notNull()
                t.column("threads", .integer).notNull()
                t.column("configuration", .text).notNull()
                t.column("finalMetrics", .text)
            }
            try db.create(table: "epoch") { t in
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("epoch", .integer).notNull()
                t.column("loss", .double).notNull()
                t.column("accuracy", .double).notNull()
                t.column("validationLoss", .double)
                t.column("validationAccuracy", .double)
                t.column("learningRate", .double).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["runId", "epoch"])
            }
            try db.create(table: "artifact") { t in
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull()
                t.column("path", .text).notNull()
            }
        }
        registerTuningTables(in: &migrator)
        return migrator
    }

    /// Records the start of a run and returns its id.
    public func begin(kind: String, name: String, study: String? = nil, seed: UInt64? = nil, threads: Int, configuration: String) throws(RunDatabaseError) -> Int64 {
        try write { db in
            var run = Run(id: nil, kind: kind, name: name, study: study, seed: seed.map { Int64(bitPattern: $0) }, startedAt: Date(),
                          endedAt: nil, status: "running", codeVersion: Self.codeVersion, threads: threads, configuration: configuration, finalMetrics: nil)
            try run.insert(db)
            return run.id ?? 0
        }
    }

    /// Records a finished run: its epochs, final metrics and files, in one transaction.
    public func finish(_ id: Int64, status: String = "finished", epochs: [EpochRow], finalMetrics: [String: Double], artifacts: [(kind: String, path: String)]) throws(RunDatabaseError) {
        try write { db in
            for var epoch in epochs {
                epoch.runId = id
                try epoch.insert(db)
            }
            for artifact in artifacts { try ArtifactRow(runId: id, kind: artifact.kind, path: artifact.path).insert(db) }
            let metrics = String(decoding: try JSONEncoder.sorted.encode(finalMetrics), as: UTF8.self)
            try db.execute(sql: "UPDATE run SET endedAt = ?, status = ?, finalMetrics = ? WHERE id = ?", arguments: [Date(), status, metrics, id])
        }
    }

    /// Every run, newest first.
    public func list() throws(RunDatabaseError) -> [Run] {
        try read { db in try Run.order(Column("id").desc).fetchAll(db) }
    }

    /// One run with its epochs and artifacts.
    public func details(of id: Int64) throws(RunDatabaseError) -> RunDetails {
        try read { db in
            guard let run = try Run.fetchOne(db, key: id) else { throw RunDatabaseError(path: path, reason: "no run with id \(id)") }
            let epochs = try EpochRow.filter(Column("runId") == id).order(Column("epoch")).fetchAll(db)
            let artifacts = try ArtifactRow.filter(Column("runId") == id).fetchAll(db)
            return RunDetails(run: run, epochs: epochs, artifacts: artifacts)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(RunDatabaseError) -> T {
        do { return try database.write(body) } catch let error as RunDatabaseError { throw error } catch {
            throw RunDatabaseError(path: path, reason: "\(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(RunDatabaseError) -> T {
        do { return try database.read(body) } catch let error as RunDatabaseError { throw error } catch {
            throw RunDatabaseError(path: path, reason: "\(error)")
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

public struct RunDatabaseError: Error, CustomStringConvertible, LocalizedError {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }
}
