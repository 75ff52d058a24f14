import Foundation
import Synchronization
import _Kernels

/// The threads the numeric kernels may use. Training sets it; results do not depend on it.
public enum Compute {
    private static let current = Mutex(ParallelRunner(threads: 1))

    public static var runner: ParallelRunner { current.withLock { $0 } }

    /// Uses `threads` threads from now on (1 runs everything on the calling thread).
    public static func setThreads(_ threads: Int) {
        current.withLock { runner in
            if runner.threadCount != max(1, threads) { runner = ParallelRunner(threads: threads) }
        }
    }
}
