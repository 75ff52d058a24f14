import NumericCore
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(10))) struct ParallelRunnerTests {
    @Test(arguments: [1, 2, 3])
    func everyPartRunsOnceAndRangesTileTheWhole(threads: Int) {
        let runner = ParallelRunner(threads: threads)
        for count in [0, 1, 5, 64, 100, 1000] {
            let hits = Mutex([Int](repeating: 0, count: count))
            runner.forEachRange(count: count, alignment: 16) { range in
                if range.lowerBound > 0 { #expect(range.lowerBound % 16 == 0) }
                hits.withLock { for i in range { $0[i] += 1 } }
            }
            #expect(hits.withLock { $0 } == [Int](repeating: 1, count: count))
        }
        let parts = Mutex(Set<Int>())
        runner.run { part in _ = parts.withLock { $0.insert(part) } }
        #expect(parts.withLock { $0 } == Set(0..<threads))
    }

    @Test func manyQuickJobsInARowAllComplete() {
        let runner = ParallelRunner(threads: 2)
        let total = Atomic<Int>(0)
        for _ in 0..<20_000 { runner.run { _ in total.add(1, ordering: .relaxed) } }
        #expect(total.load(ordering: .relaxed) == 40_000)
    }

    /// A job with fewer parts followed at once by one with more: a worker leaving the first
    /// must not claim a part of the second outside its claim word (it once could, running a
    /// part twice and letting the caller return before every part was done).
    @Test func jobsOfAlternatingSizesRunEachPartExactlyOnce() {
        let runner = ParallelRunner(threads: 2)
        let counts = Mutex([Int](repeating: 0, count: 8))
        var anomalies = 0
        for job in 0..<300_000 {
            let parts = job % 2 == 0 ? 2 : 8
            runner.run(parts: parts) { part in counts.withLock { $0[part] += 1 } }
            counts.withLock { counts in
                for part in 0..<parts where counts[part] != 1 { anomalies += 1 }
                counts = [Int](repeating: 0, count: 8)
            }
        }
        #expect(anomalies == 0)
    }
}
