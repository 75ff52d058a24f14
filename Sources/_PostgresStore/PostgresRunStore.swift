import Foundation
import PostgresNIO
import RunStore

/// The run store in a PostgreSQL database (through postgres-nio), for workers on many
/// machines sharing one study, the way Optuna's RDB storage does it:
///
/// - trials are numbered under a row lock on their study (`SELECT ... FOR UPDATE`), so two
///   workers never take one number and no claim is lost;
/// - heartbeats and their ages are on the database's clock (`clock_timestamp()`), so workers
///   whose clocks disagree still agree on who has gone silent;
/// - a change to a trial that has ended is refused (`RunStoreError.trialEnded`);
/// - every call is one transaction, tried again on a new connection when the connection is lost
///   or the server reports a serialization failure or a deadlock, within a bounded window;
///   calls that add a row carry a token, so a retry whose first try had committed adds nothing.
public final class PostgresRunStore: RunStorage, @unchecked Sendable {
    public let address: PostgresLocation
    let pool: ConnectionPool

    public var location: String { address.description }

    /// Connects to the database at `address` and brings its schema up to date.
    public init(address: PostgresLocation, limits: PostgresStoreLimits = .init()) throws(RunStoreError) {
        self.address = address
        pool = ConnectionPool(location: address, limits: limits)
        try PostgresMigrations.migrate(self)
    }

    public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(RunStoreError)
    {
        try self.init(
            address: try PostgresLocation(url, environment: environment),
            limits: .from(environment: environment))
    }

    /// One transaction (see `ConnectionPool.transaction`); database errors become RunStoreErrors.
    @discardableResult
    func transaction<T>(purpose: String = #function, _ body: (Session) throws -> T) throws(RunStoreError) -> T {
        do { return try pool.transaction(purpose: purpose, body) } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError(location: location, reason: ConnectionPool.describe(error))
        }
    }

    /// As `transaction`, but errors that are not the database's pass through unchanged.
    func transactionPassingErrors<T>(purpose: String = #function, _ body: (Session) throws -> T) throws -> T {
        try pool.transaction(purpose: purpose, body)
    }

    // MARK: Runs

    public func begin(kind: String, name: String, study: String?, seed: UInt64?, threads: Int, configuration: String)
        throws(RunStoreError) -> Int64
    {
        let token = UUID().uuidString
        let seedValue = seed.map { Int64(bitPattern: $0) }
        return try transaction { session in
            try session.query(
                """
                INSERT INTO run (kind, name, study, seed, started_at, status, code_version, threads, configuration,
                                 worker, token)
                VALUES (\(kind), \(name), \(study), \(seedValue), clock_timestamp(), 'running', \(CodeVersion.current),
                        \(threads), \(configuration), \(Worker.current), \(token))
                ON CONFLICT (token) DO NOTHING
                """)
            return try newRunID(session, token: token)
        }
    }

    public func finish(
        _ id: Int64, status: String, epochs: [StoredEpoch], finalMetrics: [String: Double], artifacts: [StoredArtifact]
    ) throws(RunStoreError) {
        let metrics = Self.json(finalMetrics.filter { $0.value.isFinite })
        try transaction { session in
            try insert(session, run: id, epochs: epochs, artifacts: artifacts)
            let updated = try session.query(
                """
                UPDATE run SET ended_at = clock_timestamp(), status = \(status), final_metrics = \(metrics)
                WHERE id = \(id) RETURNING id
                """)
            guard !updated.isEmpty else { throw RunStoreError(location: location, reason: "no run with id \(id)") }
        }
    }

    /// Epochs, their metrics and the artifacts of run `id`, replacing any (a retried finish).
    private func insert(_ session: Session, run id: Int64, epochs: [StoredEpoch], artifacts: [StoredArtifact]) throws {
        try session.query("DELETE FROM epoch WHERE run_id = \(id)")
        try session.query("DELETE FROM artifact WHERE run_id = \(id)")
        if !epochs.isEmpty {
            let numbers = epochs.map { Int64($0.epoch) }
            let rates = epochs.map(\.learningRate)
            let seconds = epochs.map(\.seconds)
            try session.query(
                """
                INSERT INTO epoch (run_id, epoch, learning_rate, seconds)
                SELECT \(id), * FROM unnest(\(numbers)::bigint[], \(rates)::float8[], \(seconds)::float8[])
                """)
            var metricEpochs = [Int64]()
            var names = [String]()
            var values = [Double]()
            for epoch in epochs {
                for (name, value) in epoch.metrics.sorted(by: { $0.key < $1.key }) where value.isFinite {
                    metricEpochs.append(Int64(epoch.epoch))
                    names.append(name)
                    values.append(value)
                }
            }
            if !names.isEmpty {
                try session.query(
                    """
                    INSERT INTO epoch_metric (run_id, epoch, name, value)
                    SELECT \(id), * FROM unnest(\(metricEpochs)::bigint[], \(names)::text[], \(values)::float8[])
                    """)
            }
        }
        if !artifacts.isEmpty {
            let kinds = artifacts.map(\.kind)
            let paths = artifacts.map(\.path)
            let order = artifacts.indices.map { Int64($0) }
            try session.query(
                """
                INSERT INTO artifact (run_id, position, kind, path)
                SELECT \(id), * FROM unnest(\(order)::bigint[], \(kinds)::text[], \(paths)::text[])
                """)
        }
    }

    public func importRun(_ details: RunDetails) throws(RunStoreError) -> Int64 {
        let run = details.run
        let token = UUID().uuidString
        let seed = run.seed.map { Int64(bitPattern: $0) }
        let metrics = Self.json(run.finalMetrics)
        return try transaction { session in
            try session.query(
                """
                INSERT INTO run (kind, name, study, seed, started_at, ended_at, status, code_version, threads,
                                 configuration, final_metrics, token)
                VALUES (\(run.kind), \(run.name), \(run.study), \(seed), \(run.startedAt), \(run.endedAt),
                        \(run.status), \(run.codeVersion), \(run.threads), \(run.configuration), \(metrics), \(token))
                ON CONFLICT (token) DO NOTHING
                """)
            let id = try newRunID(session, token: token)
            try insert(session, run: id, epochs: details.epochs, artifacts: details.artifacts)
            return id
        }
    }

    /// The id of the run inserted with `token` (by this try or an earlier one of the same call).
    private func newRunID(_ session: Session, token: String) throws -> Int64 {
        guard let row = try session.query("SELECT id FROM run WHERE token = \(token)").first else {
            throw RunStoreError(location: location, reason: "a new run was not recorded")
        }
        return try row.decode(Int64.self)
    }

    public func runs() throws(RunStoreError) -> [StoredRun] {
        try markInterruptedRuns()
        return try transaction { session in
            try session.query("SELECT \(unescaped: Self.runColumns) FROM run ORDER BY id DESC").map(Self.run)
        }
    }

    public func details(of id: Int64) throws(RunStoreError) -> RunDetails {
        try markInterruptedRuns()
        return try transaction { session in
            guard let row = try session.query("SELECT \(unescaped: Self.runColumns) FROM run WHERE id = \(id)").first
            else {
                throw RunStoreError(location: location, reason: "no run with id \(id)")
            }
            var metrics = [Int: [String: Double]]()
            for row in try session.query("SELECT epoch, name, value FROM epoch_metric WHERE run_id = \(id)") {
                let (epoch, name, value) = try row.decode((Int64, String, Double).self)
                metrics[Int(epoch), default: [:]][name] = value
            }
            let epochs = try session.query(
                "SELECT epoch, learning_rate, seconds FROM epoch WHERE run_id = \(id) ORDER BY epoch"
            ).map { row in
                let (epoch, rate, seconds) = try row.decode((Int64, Double, Double).self)
                return StoredEpoch(
                    epoch: Int(epoch), metrics: metrics[Int(epoch)] ?? [:], learningRate: rate, seconds: seconds)
            }
            let artifacts = try session.query(
                "SELECT kind, path FROM artifact WHERE run_id = \(id) ORDER BY position"
            ).map { row in
                let (kind, path) = try row.decode((String, String).self)
                return StoredArtifact(kind: kind, path: path)
            }
            return RunDetails(run: try Self.run(row), epochs: epochs, artifacts: artifacts)
        }
    }

    /// Runs still "running" whose process on this host has died become "interrupted". A run
    /// recorded on another host is left as it is: only that host can tell.
    func markInterruptedRuns() throws(RunStoreError) {
        try transaction { session in
            for row in try session.query("SELECT id, worker FROM run WHERE status = 'running'") {
                let (id, worker) = try row.decode((Int64, String?).self)
                guard let worker, Worker.isRunningOnThisHost(worker) == false else { continue }
                try session.query(
                    """
                    UPDATE run SET status = 'interrupted', ended_at = clock_timestamp()
                    WHERE id = \(id) AND status = 'running'
                    """)
            }
        }
    }

    static let runColumns =
        "id, kind, name, study, seed, started_at, ended_at, status, code_version, threads, configuration, final_metrics"

    static func run(_ row: PostgresRow) throws -> StoredRun {
        let (id, kind, name, study, seed, startedAt, endedAt, status, codeVersion, threads, configuration, metrics) =
            try row.decode(
                (
                    Int64, String, String, String?, Int64?, Date, Date?, String, String, Int64, String, String?
                ).self)
        return StoredRun(
            id: id, kind: kind, name: name, study: study, seed: seed.map { UInt64(bitPattern: $0) },
            startedAt: startedAt, endedAt: endedAt, status: status, codeVersion: codeVersion, threads: Int(threads),
            configuration: configuration,
            finalMetrics: metrics.flatMap { try? JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) }
                ?? [:])
    }

    static func json(_ metrics: [String: Double]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(metrics)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension PostgresRunStore {
    /// Makes an empty database named `name` on the server that `server` reaches (its own
    /// database is only used to connect), for tests and benchmarks that need a fresh store each.
    public static func createDatabase(_ name: String, server: PostgresLocation) throws(RunStoreError) {
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw RunStoreError(location: server.description, reason: "'\(name)' is not a plain database name")
        }
        var limits = PostgresStoreLimits()
        limits.retryWindow = 5
        let pool = ConnectionPool(location: server, limits: limits)
        do {
            let connection = try pool.take()
            defer { ConnectionPool.drop(connection) }
            _ = try pool.run("CREATE DATABASE \(unescaped: name)", on: connection)
        } catch {
            throw RunStoreError(location: server.description, reason: ConnectionPool.describe(error))
        }
    }
}

extension PostgresRunStore {
    /// Removes the trials of `study` numbered `number` and up (benchmarks reset a study with it).
    public func deleteTrials(study: Int64, fromNumber number: Int) throws(RunStoreError) {
        let first = Int64(number)
        try transaction { session in
            try session.query("DELETE FROM trial WHERE study_id = \(study) AND number >= \(first)")
        }
    }

    /// The server processes of this database's connections (for measuring their memory).
    public func backendProcesses() throws(RunStoreError) -> [Int32] {
        let database = address.database
        return try transaction { session in
            try session.query("SELECT pid FROM pg_stat_activity WHERE datname = \(database)").map {
                try $0.decode(Int32.self)
            }
        }
    }
}
