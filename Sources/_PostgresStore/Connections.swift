import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import RunStore

/// How long the store waits and how hard it tries.
public struct PostgresStoreLimits: Sendable {
    /// One query's limit: past it the connection is closed (a cut link never answers) and the
    /// transaction is tried again on a new one.
    public var queryTimeout: Double = 10
    /// How long a call keeps retrying a lost connection, a serialization failure or a deadlock
    /// before it gives up (a link that is down for a while comes back within it).
    public var retryWindow: Double = 180
    /// How long the server lets a session sit silent inside a transaction before ending it (and
    /// so releasing its locks): long enough for a sampler to propose, short enough that a worker
    /// whose link is cut does not hold the study's lock for long.
    public var silentTransaction: Double = 15
    /// Connections kept open for reuse (a process rarely uses more than two at once: the worker
    /// and its heartbeat).
    public var idleConnections = 4

    public init() {}

    /// `FASHION_STORE_TIMEOUT` and `FASHION_STORE_RETRY` (seconds) override the defaults.
    public static func from(environment: [String: String]) -> PostgresStoreLimits {
        var limits = PostgresStoreLimits()
        if let text = environment["FASHION_STORE_TIMEOUT"], let value = Double(text), value > 0, value.isFinite {
            limits.queryTimeout = value
        }
        if let text = environment["FASHION_STORE_RETRY"], let value = Double(text), value >= 0, value.isFinite {
            limits.retryWindow = value
        }
        return limits
    }
}

/// A small pool of connections for one process, used from ordinary (blocking) threads: each
/// call waits on postgres-nio's futures, which complete on NIO's own event loop thread.
final class ConnectionPool: @unchecked Sendable {
    let location: PostgresLocation
    let limits: PostgresStoreLimits
    private let configuration: PostgresConnection.Configuration
    private let logger = Logger(label: "fashion.store.postgres")
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextID = 0

    init(location: PostgresLocation, limits: PostgresStoreLimits) {
        self.location = location
        self.limits = limits
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        configuration.options.connectTimeout = .milliseconds(Int64(limits.queryTimeout * 1000))
        self.configuration = configuration
    }

    deinit {
        for connection in idle { Self.drop(connection) }
    }

    func take() throws -> PostgresConnection {
        lock.lock()
        while let connection = idle.popLast() {
            if !connection.isClosed {
                lock.unlock()
                return connection
            }
        }
        nextID += 1
        let id = nextID
        lock.unlock()
        let connecting = PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger)
        // A connection that arrives after the wait has given up is closed as it arrives.
        let connection = try Self.wait(for: connecting, seconds: limits.queryTimeout, doing: "connect") {
            connecting.whenSuccess { Self.drop($0) }
        }
        // A session that stops talking inside a transaction (its link cut, its process frozen)
        // is ended by the server, so the row locks it holds do not stop every other worker.
        do {
            let silent = String(Int(limits.silentTransaction * 1000))
            _ = try run("SET idle_in_transaction_session_timeout = \(unescaped: silent)", on: connection)
            // A wait for a lock ends on the server before the client gives up on the query, so
            // an abandoned waiter does not keep its place in the queue (the call is retried).
            let lockWait = String(Int(limits.queryTimeout * 800))
            _ = try run("SET lock_timeout = \(unescaped: lockWait)", on: connection)
            _ = try run("SET tcp_keepalives_idle = 10", on: connection)
            _ = try run("SET tcp_keepalives_interval = 5", on: connection)
            _ = try run("SET tcp_keepalives_count = 3", on: connection)
        } catch {
            Self.drop(connection)
            throw error
        }
        return connection
    }

    /// Closes a connection without waiting for it: the close runs on the connection's event loop,
    /// and the connection is kept alive until it has (a connection must be closed before it is
    /// released). A close that never completes holds nothing but that reference.
    static func drop(_ connection: PostgresConnection) {
        let future: EventLoopFuture<Void> = connection.close()
        future.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    func give(back connection: PostgresConnection) {
        lock.lock()
        defer { lock.unlock() }
        if !connection.isClosed && idle.count < limits.idleConnections {
            idle.append(connection)
        } else {
            Self.drop(connection)
        }
    }

    /// One query with the time limit: past it the connection is closed and the call throws
    /// `StoreTimeout`, whether or not closing the connection ever fails the query's future.
    func run(_ query: PostgresQuery, on connection: PostgresConnection) throws -> [PostgresRow] {
        let future = connection.query(query, logger: logger)
        return try Self.wait(for: future, seconds: limits.queryTimeout, doing: "query") { Self.drop(connection) }
            .rows
    }

    /// Waits for `future` at most `seconds`. The deadline is the kernel's (a semaphore's timed
    /// wait), not a task on the event loop that completes the future, so it holds even when that
    /// loop, the connection's state or the server never answers; past it `onTimeout` runs (it
    /// must not block) and the call throws `StoreTimeout`.
    static func wait<T: Sendable>(
        for future: EventLoopFuture<T>, seconds: Double, doing what: String, onTimeout: () -> Void
    ) throws -> T {
        let outcome = Outcome<T>()
        future.whenComplete { outcome.set($0) }
        guard let result = outcome.wait(seconds: seconds) else {
            onTimeout()
            throw StoreTimeout(what: what, seconds: seconds)
        }
        return try result.get()
    }
}

/// A query or connection attempt that did not finish within `queryTimeout`: the link may be
/// cut, so the transaction is tried again on a new connection.
struct StoreTimeout: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String {
        "no answer to a \(what) within \(seconds.formatted(.number.precision(.fractionLength(0...1)))) s "
            + "(FASHION_STORE_TIMEOUT)"
    }
}

/// The result of a future, handed from the event loop to the thread that waits for it.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let arrived = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    func set(_ value: Result<T, Error>) {
        lock.withLock { result = value }
        arrived.signal()
    }

    /// The result, or nil if none arrived within `seconds`.
    func wait(seconds: Double) -> Result<T, Error>? {
        guard arrived.wait(timeout: .now() + .milliseconds(Int(seconds * 1000))) == .success else { return nil }
        return lock.withLock { result }
    }
}

/// The queries of one transaction, on one connection.
struct Session {
    let pool: ConnectionPool
    let connection: PostgresConnection
    /// 1 on the first try of a transaction, then 2, 3...
    let attempt: Int

    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try pool.run(query, on: connection)
    }
}

extension ConnectionPool {
    /// Runs `body` in one transaction, tried again on a new connection when the connection is
    /// lost or the server reports a serialization failure or deadlock, until `retryWindow` has
    /// passed. Errors of `body` itself (a sampler's, a refused change) roll back and pass through.
    /// `purpose` names the call in errors (the store's method, `#function` by default).
    func transaction<T>(purpose: String = #function, _ body: (Session) throws -> T) throws -> T {
        let started = Date()
        let deadline = started.addingTimeInterval(limits.retryWindow)
        var attempt = 0
        var warned = false
        while true {
            attempt += 1
            var connection: PostgresConnection?
            do {
                let taken = try take()
                connection = taken
                let session = Session(pool: self, connection: taken, attempt: attempt)
                try session.query("BEGIN")
                let result: T
                do {
                    result = try body(session)
                } catch let error where !Self.isDatabaseError(error) {
                    _ = try? session.query("ROLLBACK")
                    give(back: taken)
                    throw PassThrough(error: error)
                }
                try session.query("COMMIT")
                give(back: taken)
                return result
            } catch let pass as PassThrough {
                throw pass.error
            } catch {
                if let connection {
                    // A failed statement leaves the transaction aborted; a lost connection is gone.
                    // A connection that timed out is being closed: no ROLLBACK waits on it again.
                    if !(error is StoreTimeout), !connection.isClosed, (try? run("ROLLBACK", on: connection)) != nil {
                        give(back: connection)
                    } else {
                        Self.drop(connection)
                    }
                }
                guard Self.isRetryable(error), Date() < deadline else {
                    let name = purpose.prefix { $0 != "(" }
                    throw RunStoreError(
                        location: location.description,
                        reason: Self.describe(error) + " (\(name)"
                            + (attempt > 1 ? ", after \(attempt) attempts)" : ")"))
                }
                // Say once why a call waits, so a person at a terminal is not left guessing.
                if !warned, Date().timeIntervalSince(started) > 2 {
                    warned = true
                    let line =
                        "fashion: waiting for the run store at \(location.description) (\(Self.describe(error))); "
                        + "retrying for up to \(Int(limits.retryWindow)) s (FASHION_STORE_RETRY)\n"
                    FileHandle.standardError.write(Data(line.utf8))
                }
                // Backoff with jitter, so workers that lost the link together do not return together.
                let pause = min(2.0, 0.05 * pow(2, Double(min(attempt, 6)))) * Double.random(in: 0.5...1.5)
                Thread.sleep(forTimeInterval: min(pause, max(0, deadline.timeIntervalSinceNow)))
            }
        }
    }

    private struct PassThrough: Error { let error: Error }

    static func isDatabaseError(_ error: Error) -> Bool {
        error is PSQLError || error is PostgresDecodingError || error is ChannelError || error is IOError
            || error is NIOConnectionError || error is StoreTimeout
    }

    /// Lost connections, timeouts, serialization failures, deadlocks, lock waits past
    /// `lock_timeout`, too many connections and a server shutting down are worth another try;
    /// a wrong password, a missing database or a bad statement are not.
    static func isRetryable(_ error: Error) -> Bool {
        guard let error = error as? PSQLError else {
            return error is ChannelError || error is IOError || error is NIOConnectionError || error is StoreTimeout
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return ["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "25P03", "53300"].contains(state)
                || state.hasPrefix("08")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return true
        default:
            return false
        }
    }

    /// PSQLError's own description hides everything; this says what the server said.
    static func describe(_ error: Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { ": \($0)" } ?? ""
            return message + detail + state
        }
        let underlying = error.underlying.map { ": \($0)" } ?? ""
        switch error.code {
        case .connectionError: return "cannot connect to the database server\(underlying)"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return "the connection to the database was lost\(underlying)"
        default: return "\(error.code)\(underlying)"
        }
    }
}
