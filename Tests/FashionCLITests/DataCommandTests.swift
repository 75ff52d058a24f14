import FashionData
import Foundation
import Testing
import _TestSupport

/// The `fashion data` commands, run as a user runs them, on the real Fashion-MNIST files.
@Suite(.timeLimit(.minutes(10))) struct DataCommandTests {
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        CommandRunner.stableEnvironment().merging(extra) { $1 }
    }

    func realFolder() throws -> String {
        try #require(RealData.isPresent, Comment(rawValue: RealData.missingMessage))
        return RealData.folder.path
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func infoOnTheRealDataCountsEveryClass() async throws {
        let folder = try realFolder()
        let result = try await CommandRunner.run(["data", "info", "--data", folder], environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let text = result.standardOutput.replacingOccurrences(of: folder, with: "<folder>")
        if let failure = Golden.check(text, named: "data-info") { Issue.record(Comment(rawValue: failure)) }
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage))) func infoAsJSONHasTheSameFacts()
        async throws
    {
        let folder = try realFolder()
        let result = try await CommandRunner.run(
            ["data", "info", "--json", "--data", folder, "--val-split", "0.1", "--seed", "3"],
            environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let summary = try JSONDecoder().decode(DatasetSummary.self, from: Data(result.standardOutput.utf8))
        #expect(summary.test.count == 10_000)
        #expect(summary.test.classCounts == Array(repeating: 1000, count: 10))
        #expect(summary.train.count + (summary.validation?.count ?? 0) == 60_000)
        #expect(summary.validation?.classCounts == Array(repeating: 600, count: 10))
        #expect(summary.folder == folder)
        #expect(summary.classNames[6] == "Shirt")
        #expect(abs(summary.test.pixelMean - 0.2868) < 0.0001)
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func verifyConfirmsThePublishedChecksums() async throws {
        let folder = try realFolder()
        let result = try await CommandRunner.run(["data", "verify", "--data", folder], environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardOutput + result.standardError))
        #expect(result.standardOutput.components(separatedBy: "\n").filter { $0.hasPrefix("  ok ") }.count == 5)
        #expect(result.standardOutput.contains("All checks passed."))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage))) func verifyFailsOnADamagedCopy()
        async throws
    {
        let folder = try realFolder()
        let copy = try TemporaryFolder()
        defer { copy.remove() }
        for name in [
            "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ] {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name)))
            if name.hasPrefix("t10k-images") { bytes = Array(bytes.prefix(bytes.count / 2)) }
            try Data(bytes).write(to: copy.file(name))
        }
        let result = try await CommandRunner.run(
            ["data", "verify", "--data", copy.url.path], environment: environment())
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("FAIL  t10k-images-idx3-ubyte.gz"))
        #expect(
            result.standardOutput.contains(
                "FAIL  structure: \(copy.url.path)/t10k-images-idx3-ubyte.gz: corrupt or truncated gzip data"))
        #expect(result.standardOutput.contains("Verification FAILED."))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage))) func showWritesAValidSprite()
        async throws
    {
        let folder = try realFolder()
        let out = try TemporaryFolder()
        defer { out.remove() }
        let png = out.file("sprite.png")
        let result = try await CommandRunner.run(
            ["data", "show", "--data", folder, "--per-class", "3", "--scale", "1", "--split", "test", "-o", png.path],
            environment: environment())
        #expect(result.status == 0, Comment(rawValue: result.standardError))
        let image = try PNGDecoder.decode([UInt8](Data(contentsOf: png)), path: png.path)
        #expect(image.channels == 3)
        #expect(image.height == 2 * 12 + 13 * 2 + 4 + 10 * (28 + 4))
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func fetchFromALoopbackMirrorThenUseIt() async throws {
        let folder = try realFolder()
        let served = try TemporaryFolder()
        let into = try TemporaryFolder()
        defer {
            served.remove()
            into.remove()
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".gz") {
            try FileManager.default.copyItem(atPath: folder + "/" + name, toPath: served.file(name).path)
        }
        let server = try LoopbackHTTPServer(serving: served.url)
        defer { server.stop() }
        let fetch = try await CommandRunner.run(
            ["data", "fetch", "--mirror", server.baseURL.absoluteString, "--into", into.url.path],
            environment: environment())
        #expect(fetch.status == 0, Comment(rawValue: fetch.standardError))
        #expect(
            fetch.standardOutput.contains("train-images-idx3-ubyte.gz: downloaded 26421856 bytes, checksum verified"))
        let again = try await CommandRunner.run(
            ["data", "fetch", "--mirror", server.baseURL.absoluteString, "--into", into.url.path],
            environment: environment())
        #expect(again.standardOutput.components(separatedBy: "already present").count == 5)
        // The cache folder is found without naming it (a cache home of this test's own: a shared
        // one such as /tmp/fashion raced with another test run on the same machine).
        let cacheFolder = try TemporaryFolder()
        defer { cacheFolder.remove() }
        let cacheHome = cacheFolder.url
        let moved = cacheHome.appendingPathComponent("fashion")
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: into.url, to: moved.appendingPathComponent("fashion-mnist"))
        let info = try await CommandRunner.run(
            ["data", "info"], environment: environment(["XDG_CACHE_HOME": cacheHome.path]))
        #expect(
            info.standardOutput.contains("(found by user cache)"),
            Comment(rawValue: info.standardOutput + info.standardError))
    }
}

/// What a person reads when something is wrong or when asking for help.
@Suite(.timeLimit(.minutes(10))) struct MessagesTests {
    func environment() -> [String: String] { CommandRunner.stableEnvironment() }

    @Test(arguments: [
        ("help-root", ["--help"]),
        ("help-data", ["data", "--help"]),
        ("help-data-show", ["data", "show", "--help"]),
        ("help-tune", ["tune", "--help"]), ("help-export", ["export", "--help"]),
        ("help-serve", ["serve", "--help"]), ("help-train", ["help", "train"]),
    ])
    func helpReadsWell(name: String, arguments: [String]) async throws {
        let result = try await CommandRunner.run(arguments, environment: environment())
        #expect(result.status == 0)
        if let failure = Golden.check(result.standardOutput, named: name) { Issue.record(Comment(rawValue: failure)) }
    }

    @Test func missingDataFolderSaysHowToGetTheData() async throws {
        let result = try await CommandRunner.run(
            ["data", "info", "--data", "/nonexistent/fmnist"], environment: environment())
        #expect(result.status != 0)
        let text = result.standardError.replacingOccurrences(of: DatasetLocator.cacheFolder().path, with: "<cache>")
        if let failure = Golden.check(text, named: "error-missing-folder") { Issue.record(Comment(rawValue: failure)) }
    }

    @Test(.enabled(if: RealData.isPresent, Comment(rawValue: RealData.missingMessage)))
    func badOptionValuesAreRejectedBeforeAnyWork() async throws {
        let result = try await CommandRunner.run(["data", "show", "--per-class", "0"], environment: environment())
        #expect(result.status != 0)
        #expect(result.standardError.contains("--per-class: expected 1...100, found 0"))
        let split = try await CommandRunner.run(
            ["data", "info", "--val-split", "1.5", "--data", RealData.folder.path], environment: environment())
        #expect(split.status != 0)
        #expect(split.standardError.contains("--val-split: expected a fraction between 0 and 1 (exclusive), found 1.5"))
    }
}
