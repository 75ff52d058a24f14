import Foundation
import Synchronization
import _Kernels

/// A fork-join over a fixed set of threads, cheap enough for work of a few microseconds:
/// the calling thread runs part 0 and persistent workers take the others. A worker spins
/// briefly on an atomic counter after each job (a training step issues many jobs in quick
/// succession), then sleeps on a condition variable until the next one.
///
/// Parts are claimed from a shared counter, and the caller claims whatever is left once its
/// own part is done: when a worker is slow to wake or its core is busy with another
/// process, the caller does the work itself, so a second thread never makes a job slower
/// than one thread would, beyond the cost of a few atomic operations.
///
/// Work must be split so that the result does not depend on the number of parts (each output
/// element computed by exactly one part, in the same order): then any thread count gives
/// bit-identical results.
public final class ParallelRunner: @unchecked Sendable {
    public let threadCount: Int
    private let shared: Shared
    /// Held while the workers serve one caller; a second caller meanwhile runs its parts
    /// itself, one after another (the same results, since the split does not change them).
    private let busy = Mutex(false)

    public init(threads: Int) {
        threadCount = max(1, threads)
        shared = Shared()
        for _ in 1..<threadCount {
            let state = shared
            let thread = Thread { state.workerLoop() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { shared.stop() }

    /// Runs `body(part)` for every part in `0..<parts` (default: one per thread) and returns
    /// when all are done. Parts are claimed one at a time, so more parts than threads balance
    /// the load, and a worker that stalls (its core taken by another process) holds up only
    /// the part it has.
    public func run(parts: Int? = nil, _ body: (Int) -> Void) {
        let parts = max(1, parts ?? threadCount)
        guard threadCount > 1, parts > 1, parts <= Shared.partMask else {
            for part in 0..<parts { body(part) }
            return
        }
        let acquired = busy.withLock { taken in
            if taken { return false }
            taken = true
            return true
        }
        guard acquired else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { busy.withLock { $0 = false } }
        withoutActuallyEscaping(body) { escaping in
            shared.dispatch(escaping, parts: parts)
        }
    }

    /// Splits `0..<count` into contiguous ranges whose bounds are multiples of `alignment`
    /// (except the end), up to `partsPerThread` per thread and at least `minimumPerPart` long,
    /// and runs `body` on each non-empty one.
    public func forEachRange(
        count: Int, alignment: Int = 1, minimumPerPart: Int = 1, partsPerThread: Int = 3, _ body: (Range<Int>) -> Void
    ) {
        let units = (count + alignment - 1) / alignment
        let parts = min(threadCount * partsPerThread, units, max(1, count / max(1, minimumPerPart)))
        guard threadCount > 1, parts > 1 else {
            body(0..<count)
            return
        }
        run(parts: parts) { part in
            guard part < parts else { return }
            let lower = min(count, units * part / parts * alignment)
            let upper = part == parts - 1 ? count : min(count, units * (part + 1) / parts * alignment)
            if lower < upper { body(lower..<upper) }
        }
    }

    /// What the workers share with the runner; it outlives the runner until they have left.
    private final class Shared: @unchecked Sendable {
        // Each counter on its own cache line: the caller and a spinning worker would
        // otherwise invalidate each other's line on every update (false sharing).
        let generation = Atomic<Int>(0)
        private let pad0: CacheLinePad = (0, 0, 0, 0, 0, 0, 0, 0)
        let finished = Atomic<Int>(0)
        private let pad1: CacheLinePad = (0, 0, 0, 0, 0, 0, 0, 0)
        /// The job's generation (bits 32 and up), its number of parts (bits 16-31) and the next
        /// unclaimed part (bits 0-15), in one word: a worker can claim a part only of the job
        /// it read the word of, and only below that job's own count of parts.
        let claim = Atomic<Int>(0)
        private let pad2: CacheLinePad = (0, 0, 0, 0, 0, 0, 0, 0)
        let sleepers = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        private let pad3: CacheLinePad = (0, 0, 0, 0, 0, 0, 0, 0)
        static let partBits = 16
        static let partMask = (1 << partBits) - 1
        /// The generation as the claim word holds it (31 bits, so the word stays positive).
        static func tag(_ generation: Int) -> Int { generation & 0x7FFF_FFFF }
        let condition = NSCondition()
        var job: ((Int) -> Void)?

        /// How long an idle worker spins before sleeping, in checks of the counter.
        static let spinChecks = 40_000

        func dispatch(_ body: @escaping (Int) -> Void, parts: Int) {
            job = body
            finished.store(0, ordering: .relaxed)
            let current = generation.load(ordering: .relaxed) + 1
            claim.store(Self.tag(current) << (2 * Self.partBits) | parts << Self.partBits | 1, ordering: .releasing)
            // Sequentially consistent with the sleeper count, so a worker going to sleep
            // either sees the new generation or is seen and woken.
            generation.store(current, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wakeAll() }
            body(0)
            while let part = claimPart(generation: current) {
                body(part)
                finished.add(1, ordering: .releasing)
            }
            while finished.load(ordering: .acquiring) < parts - 1 { fashion_spin_pause() }
            job = nil
        }

        func stop() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            claim.store(0, ordering: .releasing)
            wakeAll()
        }

        private func wakeAll() {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }

        func workerLoop() {
            FloatEnvironment.flushDenormalsOnThisThread()
            var seen = 0
            while true {
                var checks = 0
                while generation.load(ordering: .acquiring) == seen {
                    checks += 1
                    if checks < Self.spinChecks {
                        fashion_spin_pause()
                        continue
                    }
                    condition.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    condition.unlock()
                    checks = 0
                }
                seen = generation.load(ordering: .acquiring)
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                while let part = claimPart(generation: seen) {
                    // The job is read only under a claim of this generation, while the caller
                    // waits for it, and released before the part counts as finished.
                    do {
                        let body = job
                        body?(part)
                    }
                    finished.add(1, ordering: .releasing)
                }
            }
        }

        /// Claims the next part of job `generation`, or nil when none is left (or the job is
        /// no longer current).
        ///
        /// The count of parts comes from the same word as the generation. It used to be a
        /// separate variable, and a worker finishing job g could read job g+1's (larger) count
        /// beside job g's exhausted claim word, win the exchange before the caller published
        /// g+1's word, and run a part of job g+1 twice, counted as finished early: once in a
        /// few million jobs, and it showed as a trap ("closure argument was escaped in
        /// withoutActuallyEscaping block") 6 minutes into training a CNN.
        private func claimPart(generation expected: Int) -> Int? {
            var current = claim.load(ordering: .acquiring)
            while true {
                let part = current & Self.partMask
                let parts = (current >> Self.partBits) & Self.partMask
                guard current >> (2 * Self.partBits) == Self.tag(expected), part < parts else { return nil }
                let (exchanged, original) = claim.compareExchange(
                    expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchanged { return part }
                current = original
            }
        }
    }
}

private typealias CacheLinePad = (Int, Int, Int, Int, Int, Int, Int, Int)
