import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who records a run or claims a trial: `host:pid`. The tuner and every backend use the same
/// name and the same test of whether its process still runs.
public enum Worker {
    /// This process (all of its threads share it).
    public static let current: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        return "\(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(getpid())"
    }()

    /// Whether `worker`'s process runs, when it is on this host (asked with `kill(pid, 0)`);
    /// nil for a worker of another host, which only a heartbeat can vouch for.
    public static func isRunningOnThisHost(_ worker: String) -> Bool? {
        guard worker != current else { return true }
        let parts = worker.split(separator: ":")
        let host = current.split(separator: ":").first
        guard parts.count == 2, parts[0] == host, let pid = pid_t(parts[1]) else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
