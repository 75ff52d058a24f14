import Foundation

/// Blocking work that a test waits for (a child process, a database call, a socket read) run on
/// a thread of its own, so that the wait never holds one of Swift concurrency's cooperative
/// threads (two on a two-core machine, shared by every test running at once). The wait has a
/// deadline: past `seconds`, or when the test's task is cancelled (a suite's `.timeLimit`), the
/// call throws and the test goes on to fail, while the thread is left to finish or be killed
/// with the process.
public func offPool<T: Sendable>(
    _ what: String = #function, seconds: Double = 600, _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            once.attach(continuation)
            let thread = Thread {
                once.resume(with: Result { try body() })
            }
            thread.name = "test-blocking"
            thread.stackSize = 8 << 20
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(seconds * 1000))) {
                once.resume(with: .failure(BlockingTimeout(what: what, seconds: seconds)))
            }
        }
    } onCancel: {
        once.resume(with: .failure(CancellationError()))
    }
}

/// A blocking call in a test that passed its deadline.
public struct BlockingTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public var description: String { "\(what) did not finish within \(Int(seconds)) s" }
}

/// Resumes a continuation once, whichever of the work, the deadline or a cancellation comes
/// first; a result that arrives before the continuation is attached is kept for it.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var early: Result<T, Error>?
    private var done = false

    func attach(_ continuation: CheckedContinuation<T, Error>) {
        let pending: Result<T, Error>? = lock.withLock {
            if let early {
                self.early = nil
                return early
            }
            self.continuation = continuation
            return nil
        }
        if let pending { continuation.resume(with: pending) }
    }

    func resume(with result: Result<T, Error>) {
        let target: CheckedContinuation<T, Error>? = lock.withLock {
            guard !done else { return nil }
            done = true
            guard let continuation else {
                early = result
                return nil
            }
            self.continuation = nil
            return continuation
        }
        target?.resume(with: result)
    }
}
