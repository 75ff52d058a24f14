import Foundation

/// Runs the built `fashion` executable, as a user would, and captures what it prints.
public enum CommandRunner {
    /// A finished child: its exit status and what it printed.
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// The `fashion` binary next to the running test bundle (SwiftPM builds it because the
    /// test target depends on it).
    public static var executable: URL {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let beside = here.appendingPathComponent("fashion")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("fashion")
        return bundle
    }

    /// The test process's environment with a fixed help width and no dataset variable, so
    /// that output is the same on every machine.
    public static func stableEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        environment["FASHION_MNIST_DIR"] = nil
        return environment
    }

    /// Runs `fashion` with `arguments` on a thread of its own (the test's task waits without
    /// holding a cooperative thread); a child still running after `seconds` is killed, and its
    /// result says so on its standard error.
    public static func run(_ arguments: [String], environment: [String: String]? = nil, seconds: Double = 600)
        async throws -> Result
    {
        try await run(executable, arguments, environment: environment, seconds: seconds)
    }

    public static func run(
        _ program: URL, _ arguments: [String], environment: [String: String]? = nil, seconds: Double = 600
    ) async throws -> Result {
        let name = ([program.lastPathComponent] + arguments.prefix(2)).joined(separator: " ")
        return try await offPool(name, seconds: seconds + 60) {
            try runBlocking(program, arguments, environment: environment, seconds: seconds)
        }
    }

    /// As `run`, on the calling thread: for code already on a thread of its own.
    public static func runBlocking(
        _ program: URL, _ arguments: [String], environment: [String: String]? = nil, seconds: Double = 600
    ) throws -> Result {
        let child = try ChildProcess([program.path] + arguments, environment: environment)
        // The deadline kills the child; the pipes then reach their end.
        let finished = NSLock()
        nonisolated(unsafe) var reaped = false
        nonisolated(unsafe) var killed = false
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(seconds * 1000))) {
            finished.withLock {
                guard !reaped else { return }
                killed = true
                kill(child.pid, SIGKILL)
            }
        }
        // Read both pipes to the end before waiting, so a chatty child never blocks.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        Thread {
            errorData = child.standardError.readDataToEndOfFile()
            group.leave()
        }.start()
        let outputData = child.standardOutput.readDataToEndOfFile()
        _ = group.wait(timeout: .now() + .milliseconds(Int(seconds * 1000) + 30_000))
        let status = child.wait(seconds: seconds + 30)
        finished.withLock { reaped = true }
        var errors = String(decoding: errorData, as: UTF8.self)
        if finished.withLock({ killed }) {
            errors +=
                "\n[test] \(program.lastPathComponent) \(arguments.joined(separator: " ")) was killed after \(Int(seconds)) s\n"
        }
        return Result(
            status: status,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: errors)
    }
}
