import Foundation
import RunStore
import Studies
import Testing
import Tuning
import _SQLiteStore
import _TestSupport

/// `fashion tune` on the real data, with real processes sharing one store.
@Suite(.timeLimit(.minutes(10))) struct TuneCommandTests {
    /// A small space that trains quickly: one or two narrow hidden layers.
    static func writeSpace(in folder: TemporaryFolder, epochs: Int) throws -> String {
        let url = folder.file("space.json")
        try Data(
            """
            {"name": "small", "validationSplit": 0.1, "parameters": [
              {"name": "hidden_layers", "low": 1, "high": 2, "integer": true},
              {"name": "units", "values": [8, 16]},
              {"name": "optimizer", "values": ["adam", "sgd"]},
              {"name": "learning_rate", "low": 0.0005, "high": 0.01, "log": true},
              {"name": "momentum", "low": 0.8, "high": 0.95, "when": {"optimizer": ["sgd"]}},
              {"name": "batch_size", "value": 256},
              {"name": "epochs", "value": \(epochs)}
            ]}
            """.utf8
        ).write(to: url)
        return url.path
    }

    /// Starts `processes` copies of one command at once and waits for all; each must exit 0.
    /// Returns what each printed, and all of it as one comment for failed expectations.
    static func runTogether(_ arguments: [String], processes count: Int) async throws -> ([String], Comment) {
        let processes = try (0..<count).map { _ in try ChildProcess(arguments) }
        var outputs = [String]()
        for process in processes {
            outputs.append(try await process.output())
            #expect(try await process.exit() == 0)
        }
        return (outputs, Comment(rawValue: outputs.joined(separator: "\n---\n")))
    }

    func trials(_ store: String, study: String = "small") throws -> [TrialSnapshot] {
        let database = try SQLiteRunStore(url: URL(fileURLWithPath: store))
        guard let id = try database.tuningStudy(named: study)?.id else { return [] }
        return try database.trials(study: id)
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aSearchRetrainsTheBestAndWritesItsReport() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let space = try Self.writeSpace(in: temp, epochs: 2)
        let out = temp.file("out")
        let result = try await CommandRunner.run([
            "tune", space, "--trials", "5", "--sampler", "random", "--pruner", "none", "--data", RealData.folder.path,
            "--store", temp.file("store.sqlite").path, "-o", out.path,
        ])
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        #expect(result.standardOutput.contains("5 trials: 5 complete"))
        #expect(result.standardOutput.contains("Retrained on 60000 images: test accuracy 0."))
        for file in ["report.html", "tuning.json", "best-model.safetensors", "best-experiment.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        // The experiment file is one `fashion study` reads.
        let experiment = try Experiment.read(from: out.appendingPathComponent("best-experiment.json"))
        #expect(experiment.models.first?.training?.epochs == 2 && experiment.validationSplit == 0.1)
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(
            report.contains("Optimisation history") && report.contains("<svg")
                && report.contains("Parameter importance"))
        let trials = try self.trials(temp.file("store.sqlite").path)
        #expect(trials.count == 5 && trials.allSatisfy { $0.trial.status == .complete && $0.steps.count == 2 })
        // The best trial is the one with the highest validation accuracy.
        let best = trials.max { ($0.trial.value ?? 0) < ($1.trial.value ?? 0) }
        #expect(result.standardOutput.contains("Best: trial \(best?.trial.number ?? -1), validation accuracy"))
        // The retrain went through the one training pipeline: a run of kind "tune" with its test figures.
        let tuning = try JSONDecoder().decode(
            TuningResult.self, from: Data(contentsOf: out.appendingPathComponent("tuning.json")))
        let runs = try SQLiteRunStore(url: temp.file("store.sqlite")).runs()
        #expect(runs.map(\.kind) == ["tune"])
        #expect(runs.first?.finalMetrics["test_accuracy"] == tuning.final.testAccuracy)
        #expect(runs.first?.finalMetrics["val_accuracy"] == tuning.final.validationAccuracy)

        // Running it again finds the study finished: nothing is trained or tested twice.
        let again = try await CommandRunner.run([
            "tune", space, "--trials", "5", "--data", RealData.folder.path, "--store", temp.file("store.sqlite").path,
            "-o", out.path,
        ])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("no trials left"))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aTimeLimitStopsStartingTrialsAndFinishesTheStudy() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let space = try Self.writeSpace(in: temp, epochs: 2)
        let store = temp.file("store.sqlite").path
        let arguments = [
            "tune", space, "--trials", "1000", "--time-limit", "1s", "--data", RealData.folder.path, "--store", store,
            "-o", temp.file("out").path,
        ]
        let result = try await CommandRunner.run(arguments)
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let count = try trials(store).count
        // The limit, not the budget of 1000, ended the search (how many ran depends on the machine).
        #expect(count >= 1 && count < 1000, "\(count) trials")
        #expect(result.standardOutput.contains("Best: trial"))
        // The study is finished: running it again trains nothing more.
        let again = try await CommandRunner.run(arguments)
        #expect(again.standardOutput.contains("Study small is finished"))
        #expect(try trials(store).count == count)
        let bad = try await CommandRunner.run(["tune", space, "--time-limit", "soon", "--store", store])
        #expect(
            bad.status != 0
                && bad.standardError.contains(
                    "--time-limit: expected seconds or a number with s, m or h (such as 90, 10m, 1.5h), found 'soon'")
        )
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func aKilledSearchResumesWhereItStopped() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let space = try Self.writeSpace(in: temp, epochs: 8)
        let store = temp.file("store.sqlite").path
        let arguments = [
            CommandRunner.executable.path, "tune", space, "--trials", "4", "--workers", "1", "--pruner", "none",
            "--data", RealData.folder.path, "--store", store, "-o", temp.file("out").path,
        ]
        let first = try ChildProcess(arguments)
        // Kill it while its second trial is training (one epoch reported, seven to go).
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let now = (try? trials(store)) ?? []
            if now.contains(where: { $0.trial.number == 1 && $0.trial.status == .running && !$0.steps.isEmpty }) {
                break
            }
            usleep(10_000)
        }
        first.killNow()
        let killed = try trials(store)
        try #require(killed.count == 2, "trials when killed: \(killed.map(\.trial.status))")
        #expect(killed[0].trial.status == .complete && killed[1].trial.status == .running)

        let second = try ChildProcess(Array(arguments))
        let output = try await second.output()
        #expect(try await second.exit() == 0, Comment(rawValue: output))
        let after = try trials(store)
        // Trial 1 is marked interrupted and its parameters run again as trial 2; four trials count.
        #expect(after.map(\.trial.status) == [.complete, .interrupted, .complete, .complete, .complete])
        #expect(
            after[2].trial.parameters == after[1].trial.parameters && after[2].trial.requeuedFrom == after[1].trial.id)
        #expect(Set(after.map(\.trial.parameters)).count == 4)
        #expect(output.contains("5 trials: 1 interrupted, 4 complete"), Comment(rawValue: output))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func twoProcessesShareOneStudyWithoutRunningATrialTwice() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        // Trials long enough (4 epochs) that the second process, loading its data, joins in
        // before the first has claimed them all.
        let space = try Self.writeSpace(in: temp, epochs: 4)
        let store = temp.file("store.sqlite").path
        let arguments = [
            CommandRunner.executable.path, "tune", space, "--trials", "10", "--workers", "1", "--startup-trials", "4",
            "--data", RealData.folder.path, "--store", store, "-o", temp.file("out").path,
        ]
        let (outputs, both) = try await Self.runTogether(arguments, processes: 2)
        let trials = try trials(store)
        #expect(trials.count == 10, both)
        #expect(trials.map(\.trial.number) == Array(0..<10))
        #expect(trials.allSatisfy { $0.trial.status == .complete || $0.trial.status == .pruned })
        // How the trials fell between the two depends on timing, so it is not asserted; that no
        // number repeats and every trial ended is what sharing must guarantee.
        // Exactly one of them retrained the best and wrote the report.
        #expect(outputs.filter { $0.contains("Best: trial") }.count == 1, both)
        #expect(outputs.filter { $0.contains("no trials left") }.count == 1, both)
        #expect(FileManager.default.fileExists(atPath: temp.file("out/report.html").path))
    }
}
