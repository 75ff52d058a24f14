import Foundation
import RunStore
import Testing
import _TestSupport

@testable import _PostgresStore

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on 127.0.0.1 between the store and the test server that can go silent: while
/// frozen it forwards nothing either way and closes nothing, as a link whose packets are dropped
/// behaves. Connections made while frozen are accepted and never answered.
final class FreezingRelay: @unchecked Sendable {
    let port: Int
    private let target: Int
    private let listener: Int32
    private let lock = NSLock()
    private var frozen = false
    private var stopped = false

    init(to target: Int) throws {
        self.target = target
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw HTTPTestConnection.Failure(description: "the relay cannot listen: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var isFrozen: Bool {
        get { lock.withLock { frozen } }
        set { lock.withLock { frozen = newValue } }
    }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(client)
                close(server)
                continue
            }
            for (from, to) in [(client, server), (server, client)] {
                Thread { [self] in pump(from: from, to: to) }.start()
            }
        }
    }

    /// Copies bytes until either side closes; while frozen, holds them (and reads nothing more).
    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(from, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        defer {
            shutdown(to, Int32(SHUT_RDWR))
            shutdown(from, Int32(SHUT_RDWR))
        }
        while !isStopped {
            if isFrozen {
                usleep(20_000)
                continue
            }
            let count = recv(from, &buffer, buffer.count, 0)
            if count == 0 { return }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return
            }
            // Bytes read just as the link froze are held until it thaws, as a queue would.
            while isFrozen && !isStopped { usleep(20_000) }
            var offset = 0
            while offset < count {
                let sent = buffer[offset..<count].withUnsafeBytes {
                    send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if sent <= 0 { return }
                offset += sent
            }
        }
    }
}

/// The store when the link to its server is cut at each point of a query: before the send, after
/// the send with no reply, in the middle of a transaction, and during the close. Every call ends
/// within its limits: it goes on over a new connection, or fails naming the server and the call.
@Suite(
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: PostgresTestServer.address != nil, PostgresTestServer.skipReason))
struct PostgresCutTests {
    static var fastLimits: PostgresStoreLimits {
        var limits = PostgresStoreLimits()
        limits.queryTimeout = 1
        limits.retryWindow = 3
        return limits
    }

    /// A new database on the test server, and its address through `relay`.
    static func database(through relay: FreezingRelay) throws -> PostgresLocation {
        let server = try #require(PostgresTestServer.address)
        let name = "fashion_cut_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRunStore.createDatabase(name, server: server)
        var address = server
        address.database = name
        address.port = relay.port
        return address
    }

    /// What a blocking call gave: its error's text, if it failed, and how long it took.
    struct Outcome: Sendable {
        let error: String?
        let seconds: Double
    }

    static func timed(_ call: @escaping @Sendable () throws -> Void) async throws -> Outcome {
        try await offPool("a store call over a cut link", seconds: 120) {
            let started = Date()
            do {
                try call()
                return Outcome(error: nil, seconds: Date().timeIntervalSince(started))
            } catch {
                return Outcome(error: "\(error)", seconds: Date().timeIntervalSince(started))
            }
        }
    }

    @Test func aServerThatAcceptsAndNeverAnswersIsNamedWithinTheWindow() async throws {
        let server = try #require(PostgresTestServer.address)
        let relay = try FreezingRelay(to: server.port)
        defer { relay.stop() }
        relay.isFrozen = true
        var relayed = server
        relayed.port = relay.port
        let address = relayed
        let outcome = try await Self.timed { _ = try PostgresRunStore(address: address, limits: Self.fastLimits) }
        let error = try #require(outcome.error)
        #expect(error.contains("postgresql://\(server.user)@127.0.0.1:\(relay.port)/"), "\(error)")
        // Whichever ends the attempt first: the store's own deadline or postgres-nio's connect timeout.
        #expect(
            error.contains("no answer to a connect within 1 s") || error.contains("Connect timeout (1 s)"), "\(error)")
    }

    @Test func aLinkThatGoesSilentMidCallFailsNamingTheCallThenRecovers() async throws {
        let relay = try FreezingRelay(to: try #require(PostgresTestServer.address).port)
        defer { relay.stop() }
        let store = try PostgresRunStore(address: try Self.database(through: relay), limits: Self.fastLimits)
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        let trial = try #require(
            try store.claimTrial(study: study, worker: "a", budget: 2, isAlive: { _ in true }, propose: { _ in "{}" }))
        try store.reportStep(trial: trial.id, step: 1, value: 0.5)
        // The pooled connection is open; its packets stop, mid-conversation.
        relay.isFrozen = true
        let silent = try await Self.timed { try store.reportStep(trial: trial.id, step: 2, value: 0.625) }
        let error = try #require(silent.error)
        #expect(error.contains(store.location) && error.contains("(reportStep, after"), "\(error)")
        #expect(error.contains("no answer to a") || error.contains("Connect timeout"), "\(error)")
        // The link comes back: the next call reconnects, and nothing was recorded twice.
        relay.isFrozen = false
        let again = try await Self.timed {
            try store.reportStep(trial: trial.id, step: 2, value: 0.625)
            try store.finishTrial(trial.id, status: .complete, value: 0.625, seconds: 1)
        }
        #expect(again.error == nil, "\(again.error ?? "")")
        let snapshot = try #require(try store.trials(study: study).first)
        #expect(snapshot.steps == [1: 0.5, 2: 0.625] && snapshot.trial.status == .complete)
    }

    @Test func aLinkThatComesBackWithinTheWindowLosesNothing() async throws {
        let relay = try FreezingRelay(to: try #require(PostgresTestServer.address).port)
        defer { relay.stop() }
        var limits = Self.fastLimits
        limits.retryWindow = 30
        let store = try PostgresRunStore(address: try Self.database(through: relay), limits: limits)
        let run = try store.begin(kind: "train", name: "m", study: nil, seed: 1, threads: 1, configuration: "{}")
        relay.isFrozen = true
        let thaw = Thread {
            Thread.sleep(forTimeInterval: 2.5)
            relay.isFrozen = false
        }
        thaw.start()
        let epochs = (1...3).map {
            StoredEpoch(epoch: $0, metrics: ["loss": 1 / Double($0)], learningRate: 0.1, seconds: 1)
        }
        let outcome = try await Self.timed {
            try store.finish(run, status: "finished", epochs: epochs, finalMetrics: ["loss": 1 / 3], artifacts: [])
        }
        #expect(outcome.error == nil, "\(outcome.error ?? "")")
        let details = try store.details(of: run)
        #expect(details.run.status == "finished" && details.epochs.map(\.epoch) == [1, 2, 3])
        #expect(try store.runs().count == 1)
    }

    @Test func aQueryWithNoReplyEndsAtTheQueryTimeoutAndSaysSo() async throws {
        let server = try #require(PostgresTestServer.address)
        let name = "fashion_cut_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRunStore.createDatabase(name, server: server)
        var address = server
        address.database = name
        var limits = Self.fastLimits
        limits.retryWindow = 0
        let store = try PostgresRunStore(address: address, limits: limits)
        // The server holds the reply back (as a stalled link would) past the query timeout.
        let outcome = try await Self.timed {
            try store.transaction { session in _ = try session.query("SELECT pg_sleep(5)") }
        }
        let error = try #require(outcome.error)
        #expect(error.hasPrefix(store.location + ": no answer to a query within 1 s"), "\(error)")
        // The store goes on with a new connection.
        #expect(try store.runs().isEmpty)
    }

    @Test func aBackendEndedDuringAQueryIsRetriedOnANewConnection() async throws {
        let server = try #require(PostgresTestServer.address)
        let name = "fashion_cut_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRunStore.createDatabase(name, server: server)
        var address = server
        address.database = name
        var limits = PostgresStoreLimits()
        limits.queryTimeout = 10
        limits.retryWindow = 30
        let store = try PostgresRunStore(address: address, limits: limits)
        let killer = ConnectionPool(location: server, limits: .init())
        let attempts = Counter()
        let ender = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            _ = try? killer.transaction { session in
                try session.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = \(name) AND pid <> pg_backend_pid()
                    """)
            }
        }
        ender.start()
        let outcome = try await Self.timed {
            try store.transaction { session in
                attempts.add()
                _ = try session.query("SELECT pg_sleep(1.5)")
            }
        }
        #expect(outcome.error == nil, "\(outcome.error ?? "")")
        #expect(attempts.value == 2)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
