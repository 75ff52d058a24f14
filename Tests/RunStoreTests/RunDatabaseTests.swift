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
