import Foundation

/// Runs the built `fashion` executable, as a user would, and captures what it prints.
public enum CommandRunner {
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

    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try run(executable, arguments, environment: environment)
    }

    public static func run(_ program: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Result
    {
        let child = try ChildProcess([program.path] + arguments, environment: environment)
        // Read both pipes to the end before waiting, so a chatty child never blocks.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = child.standardError.readDataToEndOfFile()
            group.leave()
        }
        let outputData = child.standardOutput.readDataToEndOfFile()
        group.wait()
        let status = child.wait()
        return Result(
            status: status,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
