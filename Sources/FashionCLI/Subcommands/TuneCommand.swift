import ArgumentParser
import FashionData
import Foundation
import RunStore
import Tuning

extension SamplerKind: ExpressibleByArgument {}
extension PrunerKind: ExpressibleByArgument {}

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search hyperparameters: train trials, prune weak ones, retrain the best and test it once.",
        discussion: """
            Trials train on the training set less the space's validation split and are compared on \
            validation accuracy only. The study and its trials live in the run store, so a killed run \
            resumes where it stopped when started again, and several `fashion tune` processes given the \
            same space and store share one study. When every trial has ended, the best configuration is \
            retrained on the whole training set and evaluated once on the test set; the run folder gets \
            report.html, tuning.json, best-model.safetensors and best-experiment.json (for `fashion study`).
            """)

    @OptionGroup var dataset: DatasetOptions

    @Argument(help: ArgumentHelp("The search space (JSON), e.g. experiments/tune-mlp.json.", valueName: "space"))
    var file: String

    @Option(
        help: "The study's name in the store (default: the space's name). Workers with the same name share the study.")
    var study: String?

    @Option(help: "tpe, random or grid (default: the space's, else tpe).")
    var sampler: SamplerKind?

    @Option(help: "median, halving or none (default: the space's, else median).")
    var pruner: PrunerKind?

    @Option(name: .customLong("startup-trials"), help: "TPE: random trials before the model takes over.")
    var startupTrials = 10

    @Option(help: "Trials in the whole study, over all workers and resumes (default: the space's, else 30).")
    var trials: Int?

    @Option(
        name: .customLong("time-limit"),
        help: ArgumentHelp("Start no new trial after this long: seconds, or with m or h (10m).", valueName: "time"))
    var timeLimit: String?

    @Option(help: "Trials trained at once in this process, each on its own threads.")
    var workers = 2

    @Option(help: "Threads per trial.")
    var threads = 1

    @Option(help: "Seed of the validation split, the sampler and every trial's weights (default: the space's, else 1).")
    var seed: UInt64?

    @Option(
        name: [.short, .long], help: ArgumentHelp("The run folder (default: runs/tune-<study>).", valueName: "dir"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "The run store that holds the study: an SQLite file, or a PostgreSQL database that workers on several "
                + "machines share (postgresql://USER@HOST[:PORT]/DB) (default: FASHION_STORE or runs/store.sqlite).",
            valueName: "store"))
    var store: String?

    @Option(
        help: ArgumentHelp("Seconds between a worker's heartbeats while it trains a trial.", valueName: "seconds"))
    var heartbeat = Liveness().interval

    @Option(
        help: ArgumentHelp(
            "Seconds without a heartbeat after which a trial of a worker on another host counts as dead and is run "
                + "again (workers on this host are asked directly).", valueName: "seconds"))
    var grace = Liveness().grace

    func validate() throws {
        if let trials, !(1...100_000).contains(trials) {
            throw ValidationError("--trials: expected 1...100000, found \(trials)")
        }
        guard startupTrials >= 0 else {
            throw ValidationError("--startup-trials: expected 0 or more, found \(startupTrials)")
        }
        guard (1...64).contains(workers) else { throw ValidationError("--workers: expected 1...64, found \(workers)") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads: expected 1...64, found \(threads)") }
        guard heartbeat > 0, heartbeat.isFinite, grace.isFinite, grace > heartbeat else {
            throw ValidationError(
                "--heartbeat and --grace: expected 0 < heartbeat < grace seconds, found \(heartbeat) and \(grace)")
        }
        if let timeLimit, Self.seconds(timeLimit) == nil {
            throw ValidationError(
                "--time-limit: expected seconds or a number with s, m or h (such as 90, 10m, 1.5h), found "
                    + "'\(timeLimit)'"
            )
        }
    }

    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        let unit = text.last.flatMap { units[$0] }
        guard let value = Double(unit == nil ? text : String(text.dropLast())), value > 0, value.isFinite else {
            return nil
        }
        return value * (unit ?? 1)
    }

    func run() throws {
        let space = try SearchSpace.read(from: URL(fileURLWithPath: file))
        let loaded = try dataset.load()
        let settings = self.settings(space)
        let database = try StoreOptions.open(store)
        let folder = output.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "runs/tune-\(settings.study)")
        print(
            "Tuning \(settings.study): \(settings.trials) trials, sampler \(settings.sampler.rawValue), "
                + "pruner \(settings.pruner.kind.rawValue), \(workers) at once on \(threads) thread(s) each; "
                + "store \(database.location)")
        let start = Date()
        let result = try Tuner.run(
            space: space, settings: settings, dataset: loaded, store: database, workers: workers, threads: threads,
            folder: folder, liveness: Liveness(interval: heartbeat, grace: grace)
        ) { line in print("  " + line) }
        guard let result else {
            let finished = try database.tuningStudy(named: settings.study)?.finalStatus == "done"
            print(Self.nothingLeft(study: settings.study, finished: finished))
            return
        }
        print(Self.summary(result, seconds: Date().timeIntervalSince(start), folder: folder))
    }

    /// The flags over the space's own settings over the defaults.
    func settings(_ space: SearchSpace) -> TuningSettings {
        var prunerSettings = space.pruner ?? PrunerSettings(kind: .median)
        if let pruner { prunerSettings.kind = pruner }
        return TuningSettings(
            study: study ?? space.name, sampler: sampler ?? space.sampler ?? .tpe, pruner: prunerSettings,
            trials: trials ?? space.trials ?? 30, timeLimit: timeLimit.flatMap(Self.seconds) ?? space.timeLimit,
            seed: seed ?? space.seed ?? 1, startupTrials: startupTrials)
    }

    static func nothingLeft(study: String, finished: Bool) -> String {
        guard finished else {
            return
                "This worker has no trials left to run; another worker is finishing the study and will write its "
                + "report."
        }
        return "Study \(study) is finished: no trials left to run; its report is in the run folder of the worker that "
            + "finished it (default runs/tune-\(study)). For a new search, give another --study name."
    }

    static func summary(_ result: TuningResult, seconds: Double, folder: URL) -> String {
        let final = result.final
        let best =
            final.isTagging
            ? String(
                format:
                    "Best: trial %d, validation mean average precision %.4f. Retrained on %d images: test mean average "
                    + "precision %.4f (subset accuracy %.4f).", final.trial, final.validationAccuracy,
                final.trainingImages, final.testMeanAveragePrecision ?? .nan, final.testAccuracy)
            : String(
                format: "Best: trial %d, validation accuracy %.4f. Retrained on %d images: test accuracy %.4f.",
                final.trial, final.validationAccuracy, final.trainingImages, final.testAccuracy)
        let finished = String(
            format: "Tuning finished in %.1f s. Report: %@", seconds, folder.appendingPathComponent("report.html").path)
        return [
            "", result.leaderboard(), "", best, finished,
            "Run the best configuration again: fashion study \(result.final.experimentFile)",
        ]
        .joined(separator: "\n")
    }
}
