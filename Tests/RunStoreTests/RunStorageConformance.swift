import Foundation
import RunStore
import Testing
import _PostgresStore
import _SQLiteStore
import _TestSupport

/// A run-store backend under test: how to make a new, empty store, and how to open a store at
/// its place as a new process would. Every backend must pass every test of this file.
struct Backend: CustomTestStringConvertible, Sendable {
    let name: String
    /// A place for a new store (a file in `folder`, a new database on the test server).
    let makePlace: @Sendable (_ folder: TemporaryFolder) throws -> String
    /// Opens (creating if needed) the store that `place` names; the same place reaches the
    /// same store from another connection.
    let open: @Sendable (_ place: String) throws -> any RunStorage

    var testDescription: String { name }

    /// Opens a new store, returning its place too.
    func new(in folder: TemporaryFolder) throws -> (store: any RunStorage, place: String) {
        let place = try makePlace(folder)
        return (try open(place), place)
    }

    static let sqlite = Backend(
        name: "SQLite", makePlace: { $0.file("nested/store-\(UUID().uuidString).sqlite").path },
        open: { try SQLiteRunStore(url: URL(fileURLWithPath: $0)) })

    /// PostgreSQL, when the tests run beside a server (`make test` starts a throwaway cluster
    /// with Scripts/with-postgres.sh and names it in FASHION_TEST_POSTGRES): a database a test.
    static let postgres: Backend? = PostgresTestServer.address.map { server in
        Backend(
            name: "PostgreSQL",
            makePlace: { _ in
                let name =
                    "fashion_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
                try PostgresRunStore.createDatabase(name, server: server)
                var address = server
                address.database = name
                return "postgresql://\(address.user)@\(address.host):\(address.port)/\(name)"
            },
            open: { try PostgresRunStore(url: $0) })
    }

    static let all = [sqlite] + (postgres.map { [$0] } ?? [])
}

/// The PostgreSQL server the tests may use.
enum PostgresTestServer {
    static let address: PostgresLocation? = ProcessInfo.processInfo.environment["FASHION_TEST_POSTGRES"].flatMap {
        try? PostgresLocation($0)
    }
    static let skipReason = Comment(
        rawValue: "no PostgreSQL server for the tests: FASHION_TEST_POSTGRES is not set (make test starts one "
            + "when Debian's postgresql is installed)")
}

/// Says, in the test list, whether the PostgreSQL backend is under test; in CI
/// (FASHION_REQUIRE_POSTGRES=1) its absence is a failure, not a skip.
@Suite(.timeLimit(.minutes(10))) struct PostgresAvailability {
    @Test(.enabled(if: PostgresTestServer.address != nil, PostgresTestServer.skipReason))
    func thePostgresBackendIsUnderTest() {
        #expect(Backend.all.map(\.name) == ["SQLite", "PostgreSQL"])
    }

    @Test func aRunRequiringPostgresHasIt() {
        let required = ProcessInfo.processInfo.environment["FASHION_REQUIRE_POSTGRES"] == "1"
        #expect(!required || PostgresTestServer.address != nil, "FASHION_REQUIRE_POSTGRES=1 but no server")
    }
}

/// The conformance suite: what any `RunStorage` must do.
@Suite(.timeLimit(.minutes(10))) struct RunStorageConformance {
    @Test(arguments: Backend.all) func aRunIsRecordedWithEpochsMetricsAndFiles(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (database, place) = try backend.new(in: temp)
        let id = try database.begin(
            kind: "train", name: "model1", seed: 42, threads: 2, configuration: #"{"epochs":2}"#)
        #expect(try database.details(of: id).run.status == "running")
        try database.finish(
            id,
            epochs: [
                StoredEpoch(
                    epoch: 1, metrics: ["loss": 0.5, "accuracy": 0.8, "val_loss": 0.45, "val_accuracy": 0.83],
                    learningRate: 0.001, seconds: 0.2),
                StoredEpoch(
                    epoch: 2, metrics: ["loss": 0.4, "accuracy": 0.85, "hamming_loss": 0.125], learningRate: 0.0005,
                    seconds: 0.3),
            ], finalMetrics: ["accuracy": 0.85], artifacts: [StoredArtifact(kind: "model", path: "/tmp/m.safetensors")])
        let details = try database.details(of: id)
        #expect(details.run.status == "finished" && details.run.seed == 42 && details.run.threads == 2)
        #expect(details.run.finalMetrics == ["accuracy": 0.85])
        #expect(
            details.run.kind == "train" && details.run.name == "model1" && details.run.configuration == #"{"epochs":2}"#
        )
        #expect(details.run.endedAt != nil)
        #expect(details.epochs.map(\.epoch) == [1, 2])
        // Metrics by name, any name, each epoch with its own.
        #expect(details.epochs[0].metrics == ["loss": 0.5, "accuracy": 0.8, "val_loss": 0.45, "val_accuracy": 0.83])
        #expect(details.epochs[1].metrics == ["loss": 0.4, "accuracy": 0.85, "hamming_loss": 0.125])
        #expect(details.epochs[1].learningRate == 0.0005 && details.epochs[1].seconds == 0.3)
        #expect(details.artifacts.map(\.path) == ["/tmp/m.safetensors"])
        // A second connection sees the same.
        #expect(try backend.open(place).runs().map(\.id) == [id])
        // A run that failed says so; an unknown id is an error naming the store.
        let failed = try database.begin(
            kind: "study", name: "m", study: "s", seed: nil, threads: 1, configuration: "{}")
        try database.finish(
            failed, status: "failed: diverged",
            epochs: [StoredEpoch(epoch: 1, metrics: ["loss": .nan, "accuracy": 0.1], learningRate: 1, seconds: 1)],
            finalMetrics: ["loss": .infinity, "accuracy": 0.1], artifacts: [])
        #expect(try database.details(of: failed).run.finalMetrics == ["accuracy": 0.1])
        #expect(try database.details(of: failed).epochs.first?.metrics == ["accuracy": 0.1])
        #expect(try database.runs().map(\.id) == [failed, id])
        #expect(try database.details(of: failed).run.status == "failed: diverged")
        #expect(try database.details(of: failed).run.study == "s")
        #expect(throws: RunStoreError.self) { try database.details(of: 9999) }
    }

    @Test(arguments: Backend.all) func threadsWritingAtOnceLoseNothing(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (_, url) = try backend.new(in: temp)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            // Each worker opens its own connection, as separate processes would.
            guard let database = try? backend.open(url) else { return }
            for i in 0..<10 {
                if let id = try? database.begin(kind: "test", name: "w\(worker)-\(i)", threads: 1, configuration: "{}")
                {
                    try? database.finish(id, epochs: [], finalMetrics: ["i": Double(i)], artifacts: [])
                }
            }
        }
        let runs = try backend.open(url).runs()
        #expect(runs.count == 80)
        #expect(Set(runs.map(\.name)).count == 80)
        #expect(runs.allSatisfy { $0.status == "finished" })
    }

    @Test func anSQLiteFileThatIsNotADatabaseIsAClearError() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try "hello".write(to: temp.file("bad.sqlite"), atomically: true, encoding: .utf8)
        let error = #expect(throws: RunStoreError.self) { try SQLiteRunStore(url: temp.file("bad.sqlite")) }
        #expect(error?.description.hasPrefix(temp.file("bad.sqlite").path + ": cannot open the run store") == true)
    }
}

@Suite(.timeLimit(.minutes(10))) struct TuningStorageConformance {
    @Test(arguments: Backend.all) func trialsAreClaimedUpToTheBudgetAndInterruptedOnesAreRunAgain(backend: Backend)
        throws
    {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (store, _) = try backend.new(in: temp)
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        var proposals = 0
        func claim(_ worker: String, alive: Bool = true) throws -> TrialRecord? {
            try store.claimTrial(
                study: study, worker: worker, budget: 3, isAlive: { _ in alive },
                propose: { _ in
                    proposals += 1
                    return #"{"p":\#(proposals)}"#
                })
        }
        let first = try #require(try claim("a"))
        let second = try #require(try claim("b"))
        #expect(first.number == 0 && second.number == 1 && first.parameters == #"{"p":1}"#)
        try store.reportStep(trial: first.id, step: 1, value: 0.5)
        try store.finishTrial(first.id, status: .complete, value: 0.5, seconds: 1)
        // Worker b died: its trial becomes interrupted and the next claim takes its parameters.
        let third = try #require(try claim("c", alive: false))
        #expect(third.parameters == second.parameters && third.requeuedFrom == second.id && third.number == 2)
        #expect(proposals == 2)
        let fourth = try #require(try claim("c"))
        #expect(fourth.parameters == #"{"p":3}"#)
        // Three trials count (0 complete, 2 and 3 running); the interrupted one does not.
        #expect(try claim("d") == nil)
        let trials = try store.trials(study: study)
        #expect(trials.map(\.trial.status) == [.complete, .interrupted, .running, .running])
        #expect(trials[0].steps == [1: 0.5])
        // A study of the same name with another space is refused.
        #expect(throws: RunStoreError.self) {
            try store.openTuningStudy(name: "s", space: "{\"other\":1}", settings: "{}")
        }
        #expect(try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id == study)
    }

    @Test(arguments: Backend.all) func onlyOneWorkerWritesTheReportAndOnlyWhenNoTrialRuns(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (store, _) = try backend.new(in: temp)
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        let trial = try #require(
            try store.claimTrial(study: study, worker: "a", budget: 1, isAlive: { _ in true }, propose: { _ in "{}" }))
        #expect(try !store.claimFinal(study: study, worker: "a", isAlive: { _ in true }))
        try store.finishTrial(trial.id, status: .complete, value: 0.9, seconds: 1)
        #expect(try store.claimFinal(study: study, worker: "a", isAlive: { _ in true }))
        #expect(try !store.claimFinal(study: study, worker: "b", isAlive: { _ in true }))
        // If the finishing worker dies, another takes over; once done, nobody does it again.
        #expect(try store.claimFinal(study: study, worker: "b", isAlive: { _ in false }))
        try store.finishFinal(study: study, metrics: "{}")
        #expect(try !store.claimFinal(study: study, worker: "c", isAlive: { _ in false }))
    }

    @Test(arguments: Backend.all) func aTrialThatHasEndedRefusesLateResults(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (store, _) = try backend.new(in: temp)
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        let slow = try #require(
            try store.claimTrial(study: study, worker: "a", budget: 5, isAlive: { _ in true }, propose: { _ in "{}" }))
        #expect(try store.heartbeat(trial: slow.id))
        try store.reportStep(trial: slow.id, step: 1, value: 0.25)
        // Another worker finds it silent and takes it over.
        let takeover = try #require(
            try store.claimTrial(study: study, worker: "b", budget: 5, isAlive: { _ in false }, propose: { _ in "{}" }))
        #expect(takeover.requeuedFrom == slow.id)
        #expect(try !store.heartbeat(trial: slow.id))
        let late = #expect(throws: RunStoreError.self) { try store.reportStep(trial: slow.id, step: 2, value: 0.5) }
        #expect(late?.trialEnded == true && late?.reason.contains("interrupted") == true)
        let finish = #expect(throws: RunStoreError.self) {
            try store.finishTrial(slow.id, status: .complete, value: 0.5, seconds: 1)
        }
        #expect(finish?.trialEnded == true)
        // The late worker's step 2 is not there; the takeover's results are.
        try store.finishTrial(takeover.id, status: .complete, value: 0.75, seconds: 1)
        // Finishing again the same way (a retried call) is accepted; another way is refused.
        try store.finishTrial(takeover.id, status: .complete, value: 0.75, seconds: 1)
        #expect(throws: RunStoreError.self) {
            try store.finishTrial(takeover.id, status: .failed, value: nil, seconds: 1)
        }
        let trials = try store.trials(study: study)
        #expect(trials.map(\.trial.status) == [.interrupted, .complete])
        #expect(trials[0].steps == [1: 0.25] && trials[1].trial.value == 0.75)
        #expect(throws: RunStoreError.self) { try store.reportStep(trial: 9999, step: 1, value: 0) }
    }

    @Test(arguments: Backend.all) func heartbeatsReachTheLivenessTest(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (store, _) = try backend.new(in: temp)
        let study = try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        let trial = try #require(
            try store.claimTrial(study: study, worker: "a", budget: 5, isAlive: { _ in true }, propose: { _ in "{}" }))
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try store.heartbeat(trial: trial.id))
        var ages = [Double]()
        _ = try store.claimTrial(
            study: study, worker: "b", budget: 5,
            isAlive: {
                ages.append(Date().timeIntervalSince($0.heartbeatAt))
                return true
            }, propose: { _ in "{}" })
        // The age the test sees is the heartbeat's, not the claim's (0.3 s earlier).
        #expect(ages.count == 1 && ages[0] >= 0 && ages[0] < 0.25)
    }

    @Test(arguments: Backend.all) func threadsClaimingAtOnceNeverShareATrialNumber(backend: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (first, url) = try backend.new(in: temp)
        let study = try first.openTuningStudy(name: "s", space: "{}", settings: "{}").id
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let store = try? backend.open(url) else { return }
            while let trial = try? store.claimTrial(
                study: study, worker: "w\(worker)", budget: 40, isAlive: { _ in true }, propose: { _ in "{}" })
            {
                try? store.finishTrial(trial.id, status: .complete, value: Double(worker), seconds: 0)
            }
        }
        let trials = try backend.open(url).trials(study: study)
        #expect(trials.count == 40)
        #expect(trials.map(\.trial.number) == Array(0..<40))
        #expect(trials.allSatisfy { $0.trial.status == .complete })
    }
}

/// `fashion runs copy`: between any two backends, both ways, and again without duplicates.
@Suite(.timeLimit(.minutes(10))) struct StoreCopyTests {
    static var pairs: [(Backend, Backend)] {
        Backend.all.flatMap { from in Backend.all.map { (from, $0) } }
    }

    @Test(arguments: pairs) func aStoreCopiesWithItsRunsStudiesAndTrials(from: Backend, to: Backend) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (source, _) = try from.new(in: temp)
        let (target, _) = try to.new(in: temp)
        let run = try source.begin(kind: "train", name: "m", seed: 7, threads: 2, configuration: "{}")
        try source.finish(
            run,
            epochs: [
                StoredEpoch(epoch: 1, metrics: ["loss": 0.5], learningRate: 0.1, seconds: 1),
                StoredEpoch(epoch: 2, metrics: ["loss": 0.25, "val_accuracy": 0.875], learningRate: 0.05, seconds: 2),
            ], finalMetrics: ["test_accuracy": 0.8125],
            artifacts: [StoredArtifact(kind: "model", path: "/m"), StoredArtifact(kind: "history", path: "/h")])
        let study = try source.openTuningStudy(name: "search", space: #"{"x":1}"#, settings: "{}").id
        let a = try #require(
            try source.claimTrial(study: study, worker: "a", budget: 3, isAlive: { _ in true }, propose: { _ in "1" }))
        try source.reportStep(trial: a.id, step: 1, value: 0.5)
        let b = try #require(
            try source.claimTrial(study: study, worker: "b", budget: 3, isAlive: { _ in false }, propose: { _ in "2" }))
        try source.reportStep(trial: b.id, step: 1, value: 0.625)
        try source.finishTrial(b.id, status: .complete, value: 0.625, seconds: 3)

        let summary = try StoreCopy.copy(from: source, to: target)
        #expect(summary.runs == 1 && summary.studies == 1 && summary.trials == 2 && summary.runsSkipped == 0)
        let copied = try #require(try target.runs().first)
        let original = try source.details(of: run)
        let details = try target.details(of: copied.id)
        #expect(details.epochs == original.epochs && details.artifacts == original.artifacts)
        #expect(details.run.finalMetrics == ["test_accuracy": 0.8125] && details.run.seed == 7)
        #expect(abs(details.run.startedAt.timeIntervalSince(original.run.startedAt)) < 0.002)
        let copiedStudy = try #require(try target.tuningStudy(named: "search"))
        let trials = try target.trials(study: copiedStudy.id)
        #expect(trials.map(\.trial.number) == [0, 1] && trials.map(\.trial.status) == [.interrupted, .complete])
        #expect(trials[1].trial.requeuedFrom == trials[0].trial.id && trials[1].steps == [1: 0.625])
        #expect(trials[0].steps == [1: 0.5] && trials[1].trial.parameters == "1")
        // Copying again adds nothing.
        let again = try StoreCopy.copy(from: source, to: target)
        #expect(again.runs == 0 && again.runsSkipped == 1 && again.studiesSkipped == ["search"])
        #expect(try target.runs().count == 1)
    }
}

/// A store written by the version before named metrics (schema v1 and v2-tuning, made by
/// `fashion train` of that version and committed): opening it migrates it in place.
@Suite(.timeLimit(.minutes(10))) struct SQLiteMigrationTests {
    @Test func aStoreOfTheFixedColumnsGetsItsMetricsByName() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/store-v2.sqlite")
        let url = temp.file("store.sqlite")
        try FileManager.default.copyItem(at: fixture, to: url)
        let store = try SQLiteRunStore(url: url)
        let details = try store.details(of: 1)
        #expect(details.run.kind == "train" && details.run.name == "784-16-10" && details.run.seed == 3)
        #expect(details.epochs.map(\.epoch) == [1, 2])
        #expect(
            details.epochs.map { $0.metrics.keys.sorted() } == [
                ["accuracy", "loss", "val_accuracy", "val_loss"], ["accuracy", "loss", "val_accuracy", "val_loss"],
            ])
        #expect(details.epochs[1].metrics["val_accuracy"] == details.run.finalMetrics["val_accuracy"])
        #expect(details.epochs[0].learningRate == 0.001)
        // The migrated store takes new runs, and opening it again changes nothing.
        let id = try store.begin(kind: "train", name: "new", threads: 1, configuration: "{}")
        try store.finish(
            id, epochs: [StoredEpoch(epoch: 1, metrics: ["loss": 1], learningRate: 0.1, seconds: 1)], finalMetrics: [:],
            artifacts: [])
        #expect(try SQLiteRunStore(url: url).details(of: 1) == details)
        #expect(try SQLiteRunStore(url: url).details(of: id).epochs.first?.metrics == ["loss": 1])
    }
}

/// A store that cannot be created because its disk is full leaves nothing behind. The full
/// disk is a tiny tmpfs, mounted for the test (root only; elsewhere it skips, saying so).
@Suite(.timeLimit(.minutes(10))) struct SQLiteFullDiskTests {
    static let canMount = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")

    @Test(.enabled(if: canMount, "mounting a tiny tmpfs (the full disk) needs root"))
    func aStoreOnAFullDiskIsRefusedAndLeavesNoFiles() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let mountPoint = temp.file("full")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        func run(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        guard try run(["/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint.path]) == 0 else {
            Issue.record("mount -t tmpfs failed (a container without the capability?)")
            return
        }
        defer { _ = try? run(["/bin/umount", mountPoint.path]) }
        // Fill it, leaving a little room: SQLite starts the file, then cannot commit the schema.
        try Data(count: 256 * 1024 - 8192).write(to: mountPoint.appendingPathComponent("fill"))
        let store = mountPoint.appendingPathComponent("store.sqlite")
        let error = #expect(throws: RunStoreError.self) { try SQLiteRunStore(url: store) }
        #expect(error?.reason.contains("the disk is full") == true, "\(error?.reason ?? "")")
        let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint.path).sorted()
        #expect(left == ["fill"])
        // With room again, the same place makes a store.
        try FileManager.default.removeItem(at: mountPoint.appendingPathComponent("fill"))
        #expect(try SQLiteRunStore(url: store).runs().isEmpty)
    }
}
