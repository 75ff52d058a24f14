import Foundation
import RunStore
import Testing
import _TestSupport

@Suite struct RunDatabaseTests {
    @Test func aRunIsRecordedWithEpochsMetricsAndFiles() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let database = try RunDatabase(url: temp.file("nested/store.sqlite"))
        let id = try database.begin(kind: "train", name: "model1", seed: 42, threads: 2, configuration: #"{"epochs":2}"#)
        try database.finish(id, epochs: [
            EpochRow(epoch: 1, loss: 0.5, accuracy: 0.8, validationLoss: 0.45, validationAccuracy: 0.83, learningRate: 0.001, seconds: 0.2),
            EpochRow(epoch: 2, loss: 0.4, accuracy: 0.85, validationLoss: nil, validationAccuracy: nil, learningRate: 0.001, seconds: 0.2),
        ], finalMetrics: ["accuracy": 0.85], artifacts: [(kind: "model", path: "/tmp/m.safetensors")])
        let details = try database.details(of: id)
        #expect(details.run.status == "finished" && details.run.seed == 42 && details.run.threads == 2)
        #expect(details.run.metrics == ["accuracy": 0.85])
        #expect(details.run.endedAt != nil)
        #expect(details.epochs.map(\.epoch) == [1, 2])
        #expect(details.epochs[0].validationAccuracy == 0.83 && details.epochs[1].validationLoss == nil)
        #expect(details.artifacts.map(\.path) == ["/tmp/m.safetensors"])
        // A second connection sees the same.
        #expect(try RunDatabase(url: temp.file("nested/store.sqlite")).list().map(\.id) == [id])
    }

    @Test func threadsWritingAtOnceLoseNothing() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("store.sqlite")
        _ = try RunDatabase(url: url)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            // Each worker opens its own connection, as separate processes would.
            guard let database = try? RunDatabase(url: url) else { return }
            for i in 0..<10 {
                if let id = try? database.begin(kind: "test", name: "w\(worker)-\(i)", threads: 1, configuration: "{}") {
                    try? database.finish(id, epochs: [], finalMetrics: ["i": Double(i)], artifacts: [])
                }
            }
        }
        let runs = try RunDatabase(url: url).list()
        #expect(runs.count == 80)
        #expect(Set(runs.map(\.name)).count == 80)
        #expect(runs.allSatisfy { $0.status == "finished" })
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try "hello".write(to: temp.file("bad.sqlite"), atomically: true, encoding: .utf8)
        let error = #expect(throws: RunDatabaseError.self) { try RunDatabase(url: temp.file("bad.sqlite")) }
        #expect(error?.description.hasPrefix(temp.file("bad.sqlite").path + ": cannot open the run store") == true)
    }
}

@Suite struct TuningStoreTests {
    @Test func trialsAreClaimedUpToTheBudgetAndInterruptedOnesAreRunAgain() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let store = try RunDatabase(url: temp.file("store.sqlite"))
        let study = try #require(try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id)
        var proposals = 0
        func claim(_ worker: String, alive: Bool = true) throws -> TrialRow? {
            try store.claimTrial(study: study, worker: worker, budget: 3, isAlive: { _ in alive }) { _ in
                proposals += 1
                return #"{"p":\#(proposals)}"#
            }
        }
        let first = try #require(try claim("a"))
        let second = try #require(try claim("b"))
        #expect(first.number == 0 && second.number == 1 && first.parameters == #"{"p":1}"#)
        try store.reportStep(trial: try #require(first.id), step: 1, value: 0.5)
        try store.finishTrial(try #require(first.id), status: .complete, value: 0.5, seconds: 1)
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
        #expect(throws: RunDatabaseError.self) { try store.openTuningStudy(name: "s", space: "{\"other\":1}", settings: "{}") }
        #expect(try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id == study)
    }

    @Test func onlyOneWorkerWritesTheReportAndOnlyWhenNoTrialRuns() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let store = try RunDatabase(url: temp.file("store.sqlite"))
        let study = try #require(try store.openTuningStudy(name: "s", space: "{}", settings: "{}").id)
        let trial = try #require(try store.claimTrial(study: study, worker: "a", budget: 1, isAlive: { _ in true }) { _ in "{}" })
        #expect(try !store.claimFinal(study: study, worker: "a", isAlive: { _ in true }))
        try store.finishTrial(try #require(trial.id), status: .complete, value: 0.9, seconds: 1)
        #expect(try store.claimFinal(study: study, worker: "a", isAlive: { _ in true }))
        #expect(try !store.claimFinal(study: study, worker: "b", isAlive: { _ in true }))
        // If the finishing worker dies, another takes over; once done, nobody does it again.
        #expect(try store.claimFinal(study: study, worker: "b", isAlive: { _ in false }))
        try store.finishFinal(study: study, metrics: "{}")
        #expect(try !store.claimFinal(study: study, worker: "c", isAlive: { _ in false }))
    }

    @Test func threadsClaimingAtOnceNeverShareATrialNumber() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("store.sqlite")
        let study = try #require(try RunDatabase(url: url).openTuningStudy(name: "s", space: "{}", settings: "{}").id)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let store = try? RunDatabase(url: url) else { return }
            while let trial = try? store.claimTrial(study: study, worker: "w\(worker)", budget: 40, isAlive: { _ in true }, propose: { _ in "{}" }),
                  let id = trial.id {
                try? store.finishTrial(id, status: .complete, value: Double(worker), seconds: 0)
            }
        }
        let trials = try RunDatabase(url: url).trials(study: study)
        #expect(trials.count == 40)
        #expect(trials.map(\.trial.number) == Array(0..<40))
        #expect(trials.allSatisfy { $0.trial.status == .complete })
    }
}

