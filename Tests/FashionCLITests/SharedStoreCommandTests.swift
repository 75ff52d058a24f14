import Foundation
import RunStore
import Testing
import Tuning
import _PostgresStore
import _SQLiteStore
import _TestSupport

/// `fashion tune` and `fashion runs` with a store that workers on several hosts share.
@Suite(.timeLimit(.minutes(10))) struct SharedStoreCommandTests {
    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aSilentWorkerOnAnotherHostIsTakenOverAfterTheGracePeriod() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let space = try TuneCommandTests.writeSpace(in: temp, epochs: 1)
        let storePath = temp.file("store.sqlite").path
        // A worker of another host opens the study and claims a trial, then falls silent.
        let store = try SQLiteRunStore(url: URL(fileURLWithPath: storePath))
        let arguments = [
            "tune", space, "--trials", "3", "--workers", "1", "--sampler", "random", "--pruner", "none",
            "--heartbeat", "0.2", "--grace", "1.5", "--data", RealData.folder.path, "--store", storePath,
            "-o", temp.file("out").path,
        ]
        // The study as `tune` will open it: the same space, in its canonical form.
        let canonical = try SearchSpace.read(from: URL(fileURLWithPath: space)).canonicalJSON
        let study = try store.openTuningStudy(name: "small", space: canonical, settings: "{}")
        let silent = try #require(
            try store.claimTrial(
                study: study.id, worker: "elsewhere:4242", budget: 3, isAlive: { _ in true },
                propose: { _ in
                    #"{"batch_size":256,"epochs":1,"hidden_layers":1,"learning_rate":0.001,"#
                        + #""optimizer":"adam","units":8}"#
                }))
        let result = try await CommandRunner.run(arguments)
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let trials = try store.trials(study: study.id)
        // The silent trial was marked interrupted once its heartbeat was older than 1.5 s, and its
        // parameters ran again; three trials count.
        #expect(trials.first?.trial.status == .interrupted && trials.first?.trial.id == silent.id)
        #expect(trials.filter { $0.trial.status == .complete }.count == 3, "\(trials.map(\.trial.status))")
        #expect(trials.contains { $0.trial.requeuedFrom == silent.id && $0.trial.parameters == silent.parameters })
        // Its late result is refused.
        let late = #expect(throws: RunStoreError.self) {
            try store.finishTrial(silent.id, status: .complete, value: 0.9, seconds: 1)
        }
        #expect(late?.trialEnded == true)
        #expect(result.standardOutput.contains("store: "), Comment(rawValue: result.standardOutput))
        let bad = try await CommandRunner.run(["tune", space, "--heartbeat", "5", "--grace", "2", "--store", storePath])
        #expect(bad.status != 0 && bad.standardError.contains("expected 0 < heartbeat < grace seconds"))
    }
}

/// The same commands against a real PostgreSQL server (the throwaway cluster of `make test`).
@Suite(
    .timeLimit(.minutes(10)),
    .enabled(
        if: ProcessInfo.processInfo.environment["FASHION_TEST_POSTGRES"] != nil,
        "no PostgreSQL server for the tests: FASHION_TEST_POSTGRES is not set"))
struct PostgresCommandTests {
    /// A new database on the test server, as a postgresql:// address.
    static func newDatabase() throws -> String {
        let server = try PostgresLocation(ProcessInfo.processInfo.environment["FASHION_TEST_POSTGRES"] ?? "")
        let name = "fashion_cli_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRunStore.createDatabase(name, server: server)
        return "postgresql://\(server.user)@\(server.host):\(server.port)/\(name)"
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func twoWorkersShareAStudyInPostgresAndItCopiesToSQLiteAndBack() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let space = try TuneCommandTests.writeSpace(in: temp, epochs: 2)
        let database = try Self.newDatabase()
        let arguments = [
            CommandRunner.executable.path, "tune", space, "--trials", "6", "--workers", "1", "--startup-trials", "3",
            "--data", RealData.folder.path, "--store", database, "-o", temp.file("out").path,
        ]
        let (outputs, both) = try await TuneCommandTests.runTogether(arguments, processes: 2)
        #expect(outputs.filter { $0.contains("Best: trial") }.count == 1, both)
        let store = try PostgresRunStore(url: database)
        let study = try #require(try store.tuningStudy(named: "small"))
        #expect(study.finalStatus == "done")
        let trials = try store.trials(study: study.id)
        #expect(trials.map(\.trial.number) == Array(0..<6), both)
        #expect(trials.allSatisfy { $0.trial.status == .complete || $0.trial.status == .pruned })

        // FASHION_STORE names the shared database as --store does.
        var environment = ProcessInfo.processInfo.environment
        environment["FASHION_STORE"] = database
        let list = try await CommandRunner.run(["runs", "list"], environment: environment)
        #expect(list.status == 0 && list.standardOutput.contains("tune small"), Comment(rawValue: list.standardError))

        // To a laptop's SQLite file and back into a new database: the same study, trial for trial.
        let file = temp.file("laptop.sqlite").path
        let out = try await CommandRunner.run(["runs", "copy", "--from", database, "--to", file])
        #expect(out.status == 0, Comment(rawValue: out.standardError))
        #expect(out.standardOutput.contains("Copied 1 run(s) and 1 tuning study(ies) with 6 trial(s)"))
        let again = try await CommandRunner.run(["runs", "copy", "--from", database, "--to", file])
        #expect(again.standardOutput.contains("Skipped 1 run(s) already there"))
        let back = try Self.newDatabase()
        #expect(try await CommandRunner.run(["runs", "copy", "--from", file, "--to", back]).status == 0)
        let returned = try PostgresRunStore(url: back)
        let copied = try #require(try returned.tuningStudy(named: "small"))
        #expect(
            try returned.trials(study: copied.id).map { [$0.trial.parameters, "\($0.trial.value ?? 0)"] }
                == trials.map { [$0.trial.parameters, "\($0.trial.value ?? 0)"] })
        // A resumed tune on the copy finds the study finished.
        let resumed = try await CommandRunner.run([
            "tune", space, "--trials", "6", "--data", RealData.folder.path, "--store", back, "-o", temp.file("o2").path,
        ])
        #expect(resumed.standardOutput.contains("Study small is finished"), Comment(rawValue: resumed.standardOutput))

        let wrong = try await CommandRunner.run(["runs", "list", "--store", "postgresql://nobody@127.0.0.1"])
        #expect(wrong.status != 0 && wrong.standardError.contains("no database name after the host"))
    }
}
