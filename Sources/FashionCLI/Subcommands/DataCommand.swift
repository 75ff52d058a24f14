import ArgumentParser
import FashionData
import Foundation

/// `fashion data`: get, check, describe and look at the dataset.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Get, verify, describe and look at the dataset.",
        discussion: """
            The data is looked for, in order: --data DIR, the FASHION_MNIST_DIR variable, \
            the user cache folder (where `fashion data fetch` puts it), then \
            /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
            """,
        subcommands: [DataFetch.self, DataVerify.self, DataInfo.self, DataShow.self])
}

struct DataFetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download Fashion-MNIST into the cache folder, checking every file's MD5.",
        discussion: "Files already present and correct are kept; an interrupted fetch can simply be run again.")

    @Option(help: ArgumentHelp("Base URL to download from instead of the official host.", valueName: "url"))
    var mirror: String?

    @Option(help: ArgumentHelp("Folder to download into (default: the user cache folder).", valueName: "dir"))
    var into: String?

    func validate() throws {
        if let mirror, URL(string: mirror)?.scheme == nil {
            throw ValidationError("--mirror: expected a URL such as http://host/path/, found '\(mirror)'")
        }
    }

    func run() async throws {
        let destination = into.map { URL(fileURLWithPath: $0) } ?? DatasetLocator.cacheFolder()
        let fetcher = DatasetFetcher(mirror: mirror.flatMap { URL(string: $0) }, destination: destination)
        print("Fetching \(fetcher.entry.name) from \(fetcher.baseURL.absoluteString) into \(destination.path)")
        _ = try await fetcher.fetchAll { print("  " + $0) }
        print("Done: the data is ready for every fashion command.")
    }
}

struct DataVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the files' MD5 checksums against the published ones, and their structure.")

    @OptionGroup var dataset: DatasetOptions

    func run() throws {
        let location = try dataset.locate()
        let report = DatasetVerifier.verify(location: location, classNamesFile: dataset.classes.map { URL(fileURLWithPath: $0) })
        print("Verifying \(location.folder.path) (found by \(location.origin.rawValue))")
        for file in report.files {
            let name = (file.path as NSString).lastPathComponent
            switch file.result {
            case let .archiveMatches(md5): print("  ok    \(name)  MD5 \(md5) matches the published archive")
            case let .contentMatches(md5): print("  ok    \(name)  content MD5 \(md5) matches the published content (archive repackaged)")
            case .unchecked: print("  --    \(name)  no published checksum for this dataset")
            case let .mismatch(expected, found): print("  FAIL  \(name)  MD5 \(found), expected \(expected)")
            }
        }
        if let error = report.structureError {
            print("  FAIL  structure: \(error)")
        } else if let loaded = report.dataset {
            print("  ok    structure: \(loaded.train.count) training and \(loaded.test.count) test images of \(loaded.train.rows)x\(loaded.train.columns), labels within \(loaded.classCount) classes")
        }
        print(report.passed ? "All checks passed." : "Verification FAILED.")
        if !report.passed { throw ExitCode(1) }
    }
}

struct DataInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print counts, per-class counts, pixel statistics and where the files came from.")

    @OptionGroup var dataset: DatasetOptions

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    @Option(name: .customLong("val-split"), help: ArgumentHelp("Also show a stratified validation split of this fraction of the training set.", valueName: "fraction"))
    var validationFraction: Double?

    @Option(help: "Seed of the validation split.")
    var seed: UInt64 = 0

    func run() throws {
        let loaded = try dataset.load()
        let summary = try FlagNames.translating { try DatasetSummary(dataset: loaded, validationFraction: validationFraction, seed: seed) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
    }
}
