import Foundation
import Synchronization
import _Kernels

/// A fork-join over a fixed set of threads, cheap enough for work of a few microseconds:
/// the calling thread runs part 0 and persistent workers run the others. A worker spins
/// briefly on an atomic counter after each job (a training step issues many jobs in quick
/// succession), then sleeps on a condition variable until the next one.
///
/// Work must be split so that the result does not depend on the number of parts (each output
/// element computed by exactly one part, in the same order): then any thread count gives
/// bit-identical results.
public final class ParallelRunner: @unchecked Sendable {
    public let threadCount: Int
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let mutex = NSCondition()
    private var job: ((Int) -> Void)?
    private var stopping = false
    private var workers = [Thread]()

    /// How long an idle worker spins before sleeping, in checks of the counter.
    private static let spinChecks = 40_000

    public init(threads: Int) {
        threadCount = max(1, threads)
        for index in 1..<threadCount {
            let thread = Thread { [unowned self] in self.workerLoop(index: index) }
            thread.stackSize = 1 << 20
            thread.start()
            workers.append(thread)
        }
    }

    deinit {
        mutex.lock()
        stopping = true
        generation.add(1, ordering: .releasing)
        mutex.broadcast()
        mutex.unlock()
    }

    /// Runs `body(part)` for every part in `0..<threadCount` and returns when all are done.
    public func run(_ body: (Int) -> Void) {
        guard threadCount > 1 else { body(0); return }
        withoutActuallyEscaping(body) { escaping in
            job = escaping
            finished.store(0, ordering: .relaxed)
            // Sequentially consistent with the sleeper count below, so a worker going to sleep
            // either sees the new generation or is seen and woken.
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                mutex.lock()
                mutex.broadcast()
                mutex.unlock()
            }
            escaping(0)
            while finished.load(ordering: .acquiring) < threadCount - 1 { spinPause() }
            job = nil
        }
    }

    /// Splits `0..<count` into `threadCount` contiguous ranges whose bounds are multiples of
    /// `alignment` (except the end), and runs `body` on each non-empty one.
    public func forEachRange(count: Int, alignment: Int = 1, minimumPerPart: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(threadCount, max(1, count / max(1, minimumPerPart)))
        guard parts > 1 else { body(0..<count); return }
        let units = (count + alignment - 1) / alignment
        run { part in
            guard part < parts else { return }
            let lower = min(count, units * part / parts * alignment)
            let upper = part == parts - 1 ? count : min(count, units * (part + 1) / parts * alignment)
            if lower < upper { body(lower..<upper) }
        }
    }

    private func workerLoop(index: Int) {
        FloatEnvironment.flushDenormalsOnThisThread()
        var seen = 0
        while true {
            var checks = 0
            while generation.load(ordering: .acquiring) == seen {
                checks += 1
                if checks < Self.spinChecks { spinPause(); continue }
                mutex.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen && !stopping { mutex.wait() }
                sleepers.subtract(1, ordering: .releasing)
                mutex.unlock()
                checks = 0
            }
            seen = generation.load(ordering: .acquiring)
            mutex.lock()
            let stop = stopping
            mutex.unlock()
            if stop { return }
            job?(index)
            finished.add(1, ordering: .releasing)
        }
    }

    @inline(__always) private func spinPause() { fashion_spin_pause() }
}

/// The threads the numeric kernels may use. Training sets it; results do not depend on it.
public enum Compute {
    nonisolated(unsafe) private static var current = ParallelRunner(threads: 1)

    public static var runner: ParallelRunner { current }

    /// Uses `threads` threads from now on (1 runs everything on the calling thread).
    public static func setThreads(_ threads: Int) {
        if current.threadCount != max(1, threads) { current = ParallelRunner(threads: threads) }
    }
}
