import Foundation
internal import GRDB
import RunStore

#if canImport(Glibc)
    import Glibc
#endif

/// The run store in an embedded SQLite database (through GRDB): each run's configuration,
/// per-epoch metrics by name, final metrics, artifacts, start and end time, code version and
/// thread count, and the tuning studies with their trials.
///
/// SQLite in WAL mode with a busy timeout lets several processes write to one store at once:
/// each write is a short transaction, so none corrupts the file or loses a run.
public final class SQLiteRunStore: RunStorage {
    public let path: String
    let database: DatabasePool

    public var location: String { path }

    /// Opens (creating if needed) the store at `url`.
    ///
    /// Opening is serialised across processes by an advisory lock on `<store>.lock`: switching
    /// a new file to WAL mode and creating its tables are not safe to race (two processes
    /// opening a fresh store at once got "database is locked" or "table already exists").
    public init(url: URL) throws(RunStoreError) {
        path = url.path
        let existed = FileManager.default.fileExists(atPath: url.path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let lock = open(url.path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard lock >= 0 else {
                throw RunStoreError(
                    location: url.path,
                    reason: "cannot create the lock file \(url.path).lock: \(String(cString: strerror(errno)))")
            }
            defer { close(lock) }
            // A process that holds the lock for more than a minute (stopped in a debugger, frozen)
            // is waited for no longer: the open fails and says which file is locked.
            let deadline = Date().addingTimeInterval(60)
            while flock(lock, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                    throw RunStoreError(
                        location: url.path,
                        reason: "another process has held \(url.path).lock for more than 60 s; "
                            + "is a run on this store stopped or frozen?")
                }
                usleep(20_000)
            }
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            let pool = try DatabasePool(path: url.path, configuration: configuration)
            do { try Migrations.migrator.migrate(pool) } catch {
                try? pool.close()
                throw error
            }
            database = pool
        } catch {
            // A store this call began to create (on a full disk, say) is removed whole: no empty
            // database, journal or lock file is left for the next run to stumble on.
            if !existed {
                for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
                    try? FileManager.default.removeItem(atPath: url.path + suffix)
                }
            }
            if let error = error as? RunStoreError { throw error }
            // A full disk shows as SQLITE_FULL, or as an I/O error when the shared-memory file
            // cannot grow: the free space tells them apart.
            let code = (error as? DatabaseError)?.resultCode
            let full = code == .SQLITE_FULL || (code == .SQLITE_IOERR && Self.freeBytes(near: url) < 1 << 20)
            throw RunStoreError(
                location: url.path,
                reason: "cannot open the run store: "
                    + (full ? "the disk is full (nothing was left behind)" : "\(error)"))
        }
    }

    /// The space left on the file system that holds `url`'s folder (Int.max if unknown).
    static func freeBytes(near url: URL) -> Int {
        var stats = statvfs()
        guard statvfs(url.deletingLastPathComponent().path, &stats) == 0 else { return Int.max }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// `runs/store.sqlite` in the working folder, or `FASHION_STORE`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["FASHION_STORE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: "runs/store.sqlite")
    }

    public func begin(kind: String, name: String, study: String?, seed: UInt64?, threads: Int, configuration: String)
        throws(RunStoreError) -> Int64
    {
        try write { db in
            var run = RunRow(
                id: nil, kind: kind, name: name, study: study, seed: seed.map { Int64(bitPattern: $0) },
                startedAt: Date(),
                endedAt: nil, status: "running", codeVersion: CodeVersion.current, threads: threads,
                configuration: configuration, finalMetrics: nil, worker: Worker.current)
            try run.insert(db)
            return run.id ?? 0
        }
    }

    public func finish(
        _ id: Int64, status: String, epochs: [StoredEpoch], finalMetrics: [String: Double], artifacts: [StoredArtifact]
    ) throws(RunStoreError) {
        try write { db in
            try insert(db, run: id, epochs: epochs, artifacts: artifacts)
            let metrics = String(
                decoding: try JSONEncoder.sorted.encode(finalMetrics.filter { $0.value.isFinite }), as: UTF8.self)
            try db.execute(
                sql: "UPDATE run SET endedAt = ?, status = ?, finalMetrics = ? WHERE id = ?",
                arguments: [Date(), status, metrics, id])
        }
    }

    public func importRun(_ details: RunDetails) throws(RunStoreError) -> Int64 {
        let run = details.run
        return try write { db in
            var row = RunRow(
                id: nil, kind: run.kind, name: run.name, study: run.study, seed: run.seed.map { Int64(bitPattern: $0) },
                startedAt: run.startedAt, endedAt: run.endedAt, status: run.status, codeVersion: run.codeVersion,
                threads: run.threads, configuration: run.configuration,
                finalMetrics: String(decoding: try JSONEncoder.sorted.encode(run.finalMetrics), as: UTF8.self),
                worker: nil)
            try row.insert(db)
            let id = row.id ?? 0
            try insert(db, run: id, epochs: details.epochs, artifacts: details.artifacts)
            return id
        }
    }

    public func runs() throws(RunStoreError) -> [StoredRun] {
        try markInterruptedRuns()
        return try read { db in try RunRow.order(Column("id").desc).fetchAll(db).map(\.record) }
    }

    public func details(of id: Int64) throws(RunStoreError) -> RunDetails {
        try markInterruptedRuns()
        return try read { db in
            guard let run = try RunRow.fetchOne(db, key: id) else {
                throw RunStoreError(location: path, reason: "no run with id \(id)")
            }
            let rows = try EpochRow.filter(Column("runId") == id).order(Column("epoch")).fetchAll(db)
            var metrics = [Int: [String: Double]]()
            for row in try EpochMetricRow.filter(Column("runId") == id).fetchAll(db) {
                metrics[row.epoch, default: [:]][row.name] = row.value
            }
            let epochs = rows.map {
                StoredEpoch(
                    epoch: $0.epoch, metrics: metrics[$0.epoch] ?? [:], learningRate: $0.learningRate,
                    seconds: $0.seconds)
            }
            let artifacts = try ArtifactRow.filter(Column("runId") == id).fetchAll(db).map {
                StoredArtifact(kind: $0.kind, path: $0.path)
            }
            return RunDetails(run: run.record, epochs: epochs, artifacts: artifacts)
        }
    }

    private func insert(_ db: Database, run id: Int64, epochs: [StoredEpoch], artifacts: [StoredArtifact]) throws {
        for epoch in epochs {
            try EpochRow(runId: id, epoch: epoch.epoch, learningRate: epoch.learningRate, seconds: epoch.seconds)
                .insert(db)
            for (name, value) in epoch.metrics.sorted(by: { $0.key < $1.key }) where value.isFinite {
                try EpochMetricRow(runId: id, epoch: epoch.epoch, name: name, value: value).insert(db)
            }
        }
        for artifact in artifacts {
            try ArtifactRow(runId: id, kind: artifact.kind, path: artifact.path).insert(db)
        }
    }

    /// Runs still "running" whose process on this host has died (killed, crashed) become
    /// "interrupted". A run recorded on another host is left as it is: nothing here can tell.
    func markInterruptedRuns() throws(RunStoreError) {
        try write { db in
            let running = try RunRow.filter(Column("status") == "running").fetchAll(db)
            for run in running {
                guard let worker = run.worker, let id = run.id, Worker.isRunningOnThisHost(worker) == false else {
                    continue
                }
                try db.execute(
                    sql: "UPDATE run SET status = 'interrupted', endedAt = ? WHERE id = ? AND status = 'running'",
                    arguments: [Date(), id])
            }
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(RunStoreError) -> T {
        do { return try database.write(body) } catch let error as RunStoreError { throw error } catch {
            throw RunStoreError(location: path, reason: "\(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(RunStoreError) -> T {
        do { return try database.read(body) } catch let error as RunStoreError { throw error } catch {
            throw RunStoreError(location: path, reason: "\(error)")
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
