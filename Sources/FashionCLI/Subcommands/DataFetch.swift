import ArgumentParser
import FashionData
import Foundation

struct DataFetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download Fashion-MNIST into the cache folder, checking every file's MD5.",
        discussion: "Files already present and correct are kept; an interrupted fetch can simply be run again.")

    @Option(help: ArgumentHelp("Base URL to download from instead of the official host.", valueName: "url"))
    var mirror: String?

    @Option(help: ArgumentHelp("Seconds without data after which a download is given up.", valueName: "seconds"))
    var timeout = 60.0

    @Option(help: ArgumentHelp("Folder to download into (default: the user cache folder).", valueName: "dir"))
    var into: String?

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout: expected seconds between 0 and 3600, found \(timeout)")
        }
        if let mirror, URL(string: mirror)?.scheme == nil {
            throw ValidationError("--mirror: expected a URL such as http://host/path/, found '\(mirror)'")
        }
    }

    func run() async throws {
        let destination = into.map { URL(fileURLWithPath: $0) } ?? DatasetLocator.cacheFolder()
        let fetcher = DatasetFetcher(
            mirror: mirror.flatMap { URL(string: $0) }, destination: destination, timeout: timeout)
        print("Fetching \(fetcher.entry.name) from \(fetcher.baseURL.absoluteString) into \(destination.path)")
        _ = try await fetcher.fetchAll { print("  " + $0) }
        print("Done: the data is ready for every fashion command.")
    }
}
