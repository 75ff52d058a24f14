import Foundation
import RunStore
import Synchronization
import Tuning
import _PostgresStore

/// `fashion-bench store-scale POSTGRES_ADDRESS SPACE`: what limits a large shared study, at the
/// scale this machine allows. For studies of 100 to 10,000 trials (25 reported epochs each):
/// the time to read every trial (what each claim and each pruning decision does), TPE's time to
/// propose from that history, and a whole claim. Then claims from 1 to 64 connections at once on
/// a study of 1,000 trials (the row lock on the study serialises them), and the server's memory
/// per connection. Each case gets a new database on the server.
enum StoreScale {
    static func run(address: String, spacePath: String) throws {
        let server = try PostgresLocation(address)
        let space = try SearchSpace.read(from: URL(fileURLWithPath: spacePath))
        let tpe = SamplerKind.tpe.makeSampler(space: space, seed: 1, startupTrials: 10)
        let random = SamplerKind.random.makeSampler(space: space, seed: 1)

        print("trials\tread all ms\tTPE propose ms\tclaim (TPE) ms")
        for count in [100, 1000, 10000] {
            let store = try newStore(server, "scale_\(count)")
            let study = try populate(store, space: space, trials: count, random: random)
            let read = timeMs(5) { _ = try store.trials(study: study) }
            let history = try store.trials(study: study).map(Tuner.observation)
            let propose = timeMs(5) { _ = try tpe.propose(number: count, history: history) }
            let claim = timeMs(5) {
                let trial = try store.claimTrial(
                    study: study, worker: Worker.current, budget: count + 100, isAlive: { _ in true },
                    propose: { snapshots in
                        try tpe.propose(number: snapshots.count, history: snapshots.map(Tuner.observation))?.json
                    })
                if let trial { try store.finishTrial(trial.id, status: .complete, value: 0.8, seconds: 1) }
            }
            print(String(format: "%d\t%.1f\t%.1f\t%.1f", count, read, propose, claim))
        }

        print("\nconnections\tclaims/s\tp50 ms\tp99 ms   (study of 1,000 trials, random sampler, 4 s)")
        let store = try newStore(server, "scale_contention")
        let study = try populate(store, space: space, trials: 1000, random: random)
        for connections in [1, 4, 16, 64] {
            let durations = Mutex<[Double]>([])
            let stores = try (0..<connections).map { _ in
                try PostgresRunStore(url: "postgresql://\(server.user)@\(server.host):\(server.port)/scale_contention")
            }
            let end = Date().addingTimeInterval(4)
            // Threads of their own (concurrentPerform would run only as many as there are cores).
            let group = DispatchGroup()
            for i in 0..<connections {
                group.enter()
                Thread {
                    defer { group.leave() }
                    var mine = [Double]()
                    while Date() < end {
                        let start = DispatchTime.now().uptimeNanoseconds
                        guard
                            let trial = try? stores[i].claimTrial(
                                study: study, worker: "w\(i)", budget: 1_000_000, isAlive: { _ in true },
                                propose: { snapshots in
                                    try random.propose(number: snapshots.count, history: [])?.json
                                })
                        else { break }
                        mine.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                        try? stores[i].finishTrial(trial.id, status: .complete, value: 0.8, seconds: 0)
                    }
                    durations.withLock { $0.append(contentsOf: mine) }
                }.start()
            }
            group.wait()
            let all = durations.withLock { $0.sorted() }
            guard !all.isEmpty else { continue }
            print(
                String(
                    format: "%d\t%.0f\t%.1f\t%.1f", connections, Double(all.count) / 4, all[all.count / 2],
                    all[min(all.count - 1, Int(Double(all.count) * 0.99))]))
            // Later rounds read a bigger study: start each from 1,000 again.
            try store.deleteTrials(study: study, fromNumber: 1000)
        }
        try memoryPerConnection(server)
    }

    static func newStore(_ server: PostgresLocation, _ name: String) throws -> PostgresRunStore {
        try? PostgresRunStore.createDatabase(name, server: server)
        var address = server
        address.database = name
        return try PostgresRunStore(address: address)
    }

    /// A study of `trials` finished trials with 25 steps each, parameters drawn at random.
    static func populate(_ store: PostgresRunStore, space: SearchSpace, trials: Int, random: any Sampler) throws
        -> Int64
    {
        let now = Date()
        let snapshots = try (0..<trials).map { number in
            let parameters = try random.propose(number: number, history: [])?.json ?? "{}"
            let value = 0.7 + 0.2 * Double((number * 7919) % 1000) / 1000
            let trial = TrialRecord(
                id: Int64(number + 1), studyId: 0, number: number, status: .complete, parameters: parameters,
                value: value, worker: "populate", startedAt: now, endedAt: now, heartbeatAt: now, requeuedFrom: nil,
                epochs: 25, seconds: 60)
            var steps = [Int: Double]()
            for step in 1...25 { steps[step] = value * Double(step) / 25 }
            return TrialSnapshot(trial: trial, steps: steps)
        }
        let record = TuningStudyRecord(
            id: 0, name: "scale", space: space.canonicalJSON, settings: "{}", createdAt: now, finalWorker: nil,
            finalStatus: nil, finalMetrics: nil)
        return try store.importTuningStudy(record, trials: snapshots)
    }

    static func timeMs(_ runs: Int, _ body: () throws -> Void) -> Double {
        var times = [Double]()
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try? body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[runs / 2]
    }

    /// The server's private memory per idle connection, from /proc (the server on this machine).
    static func memoryPerConnection(_ server: PostgresLocation) throws {
        let count = 50
        let stores = try (0..<count).map { _ in try newStore(server, "scale_contention") }
        // Swift may release objects after their last use: keep every connection open while measuring.
        try withExtendedLifetime(stores) { try measure(stores) }
    }

    static func measure(_ stores: [PostgresRunStore]) throws {
        for store in stores { _ = try store.runs() }
        let pids = try stores[0].backendProcesses()
        print("\n\(pids.count) connections to the database")
        var kilobytes = [Double]()
        for pid in pids {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { continue }
            var privateKB = 0.0
            for line in text.split(separator: "\n") where line.hasPrefix("Private_") {
                privateKB += Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
            }
            kilobytes.append(privateKB)
        }
        guard !kilobytes.isEmpty else {
            print("\nmemory per connection: the server's processes cannot be read here")
            return
        }
        kilobytes.sort()
        print(
            String(
                format: "\nserver memory per connection (private, %d backends): median %.1f MB, max %.1f MB",
                kilobytes.count, kilobytes[kilobytes.count / 2] / 1024, (kilobytes.last ?? 0) / 1024))
    }
}
