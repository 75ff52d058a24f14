import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn, its standard output and error read through
/// pipes. Foundation's `Process.waitUntilExit` hung in the test runner on Linux (it waits on
/// a run loop the runner never drives), so the tests start and reap children themselves.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let standardOutput: FileHandle
    public let standardError: FileHandle
    private var exitStatus: Int32?
    private let lock = NSLock()

    /// Starts `arguments[0]` (looked up in PATH) with the rest as its arguments.
    public init(_ arguments: [String], environment: [String: String]? = nil) throws {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        // Worker threads block most signals and a child inherits the mask; unblock them all
        // and restore default handlers, or SIGTERM never reaches the child.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, arguments[0], &actions, &attributes, &argv, &envp)
        close(outPipe[1])
        close(errPipe[1])
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT)
        }
        pid = child
        standardOutput = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true)
        standardError = FileHandle(fileDescriptor: errPipe[0], closeOnDealloc: true)
    }

    /// Waits for the child to end, at most `seconds` (killing it then, SIGKILL), and returns its
    /// exit status (128 + signal if killed). Blocks the calling thread: tests use `exit()`.
    @discardableResult
    public func wait(seconds: Double = 600) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        var pause: useconds_t = 1_000
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR {
                exitStatus = -1
                return -1
            }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        let low = status & 0x7F
        let result = low == 0 ? (status >> 8) & 0xFF : 128 + low
        exitStatus = result
        return result
    }

    /// Waits for the child to end on a thread of its own (not one of Swift concurrency's), at most
    /// `seconds`, killing it then; its exit status.
    public func exit(seconds: Double = 600) async throws -> Int32 {
        try await offPool("the child process \(pid)", seconds: seconds + 30) { self.wait(seconds: seconds) }
    }

    /// Everything the child writes to its standard output, read to the end on a thread of its own.
    public func output(seconds: Double = 600) async throws -> String {
        let handle = standardOutput
        return try await offPool("reading the output of \(pid)", seconds: seconds) {
            String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    /// Everything the child writes to its standard error, read to the end on a thread of its own.
    public func errors(seconds: Double = 600) async throws -> String {
        let handle = standardError
        return try await offPool("reading the errors of \(pid)", seconds: seconds) {
            String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    /// Asks the child to stop (SIGTERM), gives it ten seconds, then kills it, and reaps it.
    public func terminate() {
        guard lock.withLock({ exitStatus == nil }) else { return }
        kill(pid, SIGTERM)
        wait(seconds: 10)
    }

    /// Kills the child at once (SIGKILL: no handler, no clean-up, as a power cut or the OOM
    /// killer would) and reaps it.
    public func killNow() {
        guard lock.withLock({ exitStatus == nil }) else { return }
        kill(pid, SIGKILL)
        wait()
    }

    deinit { terminate() }
}
