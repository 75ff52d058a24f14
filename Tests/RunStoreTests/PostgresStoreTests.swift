import Foundation
import RunStore
import Testing
import _TestSupport

@testable import _PostgresStore

/// What only the PostgreSQL backend does: addresses, clear errors, reconnection, migrations.
@Suite(.timeLimit(.minutes(10))) struct PostgresAddressTests {
    @Test func anAddressNamesUserHostPortAndDatabase() throws {
        let address = try PostgresLocation("postgresql://ana:s%40cret@db.example:6543/runs", environment: [:])
        #expect(
            address
                == PostgresLocation(user: "ana", password: "s@cret", host: "db.example", port: 6543, database: "runs"))
        // Messages never show the password.
        #expect(address.description == "postgresql://ana@db.example:6543/runs")
        let defaults = try PostgresLocation("postgres://bo@h/d", environment: ["PGPASSWORD": "pw"])
        #expect(defaults.port == 5432 && defaults.password == "pw")
    }

    @Test(arguments: [
        ("postgresql://h/d", "no user"), ("postgresql://u@/d", "no host"), ("postgresql://u@h", "no database"),
        ("postgresql://u@h:99999/d", "port"), ("mysql://u@h/d", "postgresql://"),
    ])
    func aBadAddressSaysWhichPartIsWrong(text: String, part: String) {
        let error = #expect(throws: RunStoreError.self) { try PostgresLocation(text, environment: [:]) }
        #expect(error?.reason.contains(part) == true, "\(error?.reason ?? "")")
        #expect(error?.reason.contains("expected postgresql://USER@HOST[:PORT]/DATABASE") == true)
    }

    @Test func aPasswordIsRedactedInErrors() {
        let error = #expect(throws: RunStoreError.self) {
            try PostgresLocation("postgresql://u:topsecret@h", environment: [:])
        }
        #expect(error?.location.contains("topsecret") == false)
    }

    @Test func aServerThatIsNotThereIsAClearErrorWithinTheRetryWindow() throws {
        // A loopback port nobody listens on: refused at once, retried for the window, then said.
        var limits = PostgresStoreLimits()
        limits.retryWindow = 1
        let started = Date()
        let error = #expect(throws: RunStoreError.self) {
            try PostgresRunStore(
                address: PostgresLocation(user: "u", host: "127.0.0.1", port: 9, database: "d"), limits: limits)
        }
        #expect(error?.location == "postgresql://u@127.0.0.1:9/d")
        #expect(error?.reason.contains("connect") == true, "\(error?.reason ?? "")")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}

@Suite(.timeLimit(.minutes(10)), .enabled(if: PostgresTestServer.address != nil, PostgresTestServer.skipReason))
struct PostgresServerTests {
    func newStore(limits: PostgresStoreLimits = .init()) throws -> PostgresRunStore {
        let server = try #require(PostgresTestServer.address)
        let name = "fashion_test_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRunStore.createDatabase(name, server: server)
        var address = server
        address.database = name
        return try PostgresRunStore(address: address, limits: limits)
    }

    @Test func aMissingDatabaseIsNamedAtOnce() throws {
        var address = try #require(PostgresTestServer.address)
        address.database = "no_such_database"
        let started = Date()
        let error = #expect(throws: RunStoreError.self) { try PostgresRunStore(address: address) }
        #expect(
            error?.reason.contains(#"database "no_such_database" does not exist"#) == true, "\(error?.reason ?? "")")
        // Not retried: a wrong name does not come right by waiting.
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aLostConnectionIsReconnectedWithoutLosingTheEpochs() throws {
        let store = try newStore()
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        let trial = try #require(
            try store.claimTrial(study: study, worker: "a", budget: 2, isAlive: { _ in true }, propose: { _ in "{}" }))
        try store.reportStep(trial: trial.id, step: 1, value: 0.5)
        // The server ends every session of this database (as a restart or a cut link would).
        let killer = try newStore()
        let database = store.address.database
        try killer.transaction { session in
            try session.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = \(database) AND pid <> pg_backend_pid()
                """)
        }
        try store.reportStep(trial: trial.id, step: 2, value: 0.625)
        try store.finishTrial(trial.id, status: .complete, value: 0.625, seconds: 1)
        let snapshot = try #require(try store.trials(study: study).first)
        #expect(snapshot.steps == [1: 0.5, 2: 0.625] && snapshot.trial.status == .complete)
    }

    @Test func aStoreOfANewerSchemaIsRefused() throws {
        let store = try newStore()
        try store.transaction { session in try session.query("INSERT INTO fashion_schema (version) VALUES ('v99')") }
        let error = #expect(throws: RunStoreError.self) { try PostgresRunStore(address: store.address) }
        #expect(error?.reason.contains("'v99'") == true)
        // Opening an up-to-date store again changes nothing.
        try store.transaction { session in try session.query("DELETE FROM fashion_schema WHERE version = 'v99'") }
        _ = try PostgresRunStore(address: store.address)
        let versions = try store.transaction { session in
            try session.query("SELECT version FROM fashion_schema").map { try $0.decode(String.self) }
        }
        #expect(versions == ["v1"])
    }

    @Test func workersOpeningAFreshDatabaseTogetherMigrateItOnce() throws {
        let store = try newStore()
        try store.transaction { session in
            try session.query(
                "DROP TABLE trial_step, trial, tuning_study, artifact, epoch_metric, epoch, run, fashion_schema")
        }
        let failures = Slots(count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            do { _ = try PostgresRunStore(address: store.address) } catch { failures[i] = "\(error)" }
        }
        #expect((0..<6).compactMap { failures[$0] }.isEmpty)
        #expect(try store.runs().isEmpty)
    }
}

/// Per-thread results of concurrent work.
final class Slots: @unchecked Sendable {
    private var values: [String?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    subscript(index: Int) -> String? {
        get { lock.withLock { values[index] } }
        set { lock.withLock { values[index] = newValue } }
    }
}
