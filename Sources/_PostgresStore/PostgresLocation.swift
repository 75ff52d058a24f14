import Foundation
import RunStore

/// Where a PostgreSQL run store is: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (`postgres://` too), the password from the address or PGPASSWORD.
public struct PostgresLocation: Equatable, Sendable {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `text` names a PostgreSQL store rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses a connection address; an unusable one is an error that says which part is wrong.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(RunStoreError)
    {
        func refuse(_ why: String) -> RunStoreError {
            RunStoreError(
                location: Self.redacted(text),
                reason: "not a PostgreSQL address (\(why)); expected postgresql://USER@HOST[:PORT]/DATABASE")
        }
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw refuse("it does not start with postgresql://")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw refuse("no user before '@'")
        }
        guard let host = components.host, !host.isEmpty else { throw refuse("no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("no database name after the host") }
        if let port = components.port, !(1...65535).contains(port) { throw refuse("port \(port) is out of range") }
        self.user = user
        self.password =
            components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
            ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
    }

    /// The address for messages and the run list: never the password.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// `text` with any password replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
