import ArgumentParser
import FashionData
import Foundation
import Studies

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train, evaluate and compare the models of an experiment file, and write the report.",
        discussion: """
            Each model is trained with each seed on the training set (less the validation split), \
            then evaluated once on the test set. The run folder gets report.md, report.html (self-contained), \
            metrics.json, and per model its model file and pictures.
            """)

    @OptionGroup var dataset: DatasetOptions

    @Argument(help: ArgumentHelp("The experiment file (JSON), e.g. experiments/seed-study.json.", valueName: "file"))
    var file: String

    @Option(help: "Seeds per model: 1...N instead of the file's own list.")
    var seeds: Int?

    @Option(help: "Threads per training run (the results are the same for any count).")
    var threads = 1

    @Option(
        name: .customLong("parallel-runs"),
        help: "Runs trained at once, each on its own threads (the results are the same for any count).")
    var parallelRuns = 2

    @Option(
        name: [.short, .long], help: ArgumentHelp("The run folder (default: runs/<time>-<name>).", valueName: "dir"))
    var output: String?

    @Flag(help: "Print one JSON document (per-model accuracy mean and standard deviation) instead of text.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let seeds, !(1...100).contains(seeds) { throw ValidationError("--seeds: expected 1...100, found \(seeds)") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads: expected 1...64, found \(threads)") }
        guard (1...64).contains(parallelRuns) else {
            throw ValidationError("--parallel-runs: expected 1...64, found \(parallelRuns)")
        }
    }

    func run() throws {
        let experiment = try Experiment.read(from: URL(fileURLWithPath: file))
        let loaded = try dataset.load()
        let seedList = seeds.map { (1...$0).map(UInt64.init) } ?? experiment.seeds
        let folder = output.map { URL(fileURLWithPath: $0) } ?? TrainCommand.defaultRunFolder(name: experiment.name)
        if !json {
            print(
                "Study \(experiment.name): \(experiment.models.count) models x \(seedList.count) seeds, "
                    + "\(parallelRuns) runs at once on \(threads) thread(s) each, data from "
                    + "\(loaded.location.folder.path)"
            )
        }
        let json = json
        let result = try StudyRunner.run(
            experiment, dataset: loaded, seeds: seedList, threads: threads, parallelRuns: parallelRuns,
            folder: folder, store: store.open()
        ) { line in
            if !json { print("  " + line) }
        }
        if json {
            let summary = result.models.map {
                StudySummary(
                    name: $0.name, meanAccuracy: $0.meanAccuracy, standardDeviation: $0.accuracyStandardDeviation,
                    seeds: $0.runs.count)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(
                String(
                    decoding: try encoder.encode(
                        StudyJSON(name: result.name, folder: folder.path, models: summary, seconds: result.totalSeconds)
                    ), as: UTF8.self))
            return
        }
        print("")
        print(StudyReport(result: result).summary)
        print(
            String(
                format: "Study finished in %.1f s. Report: %@", result.totalSeconds,
                folder.appendingPathComponent("report.html").path))
    }

    struct StudySummary: Codable {
        let name: String
        let meanAccuracy: Double
        let standardDeviation: Double
        let seeds: Int
    }
    struct StudyJSON: Codable {
        let name: String
        let folder: String
        let models: [StudySummary]
        let seconds: Double
    }
}
