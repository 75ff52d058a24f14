import ArgumentParser
import Foundation
import RunStore

struct RunsCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every run and tuning study from one store to another (SQLite or PostgreSQL, either way).",
        discussion: """
            A study started on a laptop moves to the shared database (and back): runs keep their times, \
            epochs and files; studies keep their trials, numbers and reported values, so `fashion tune` \
            with --store pointing at the target resumes them. Copying again adds only what is new: a run \
            already there (same kind, name and start) and a study whose name is taken are skipped.
            """)

    @Option(help: ArgumentHelp("The store to copy from.", valueName: "store")) var from: String
    @Option(help: ArgumentHelp("The store to copy into (created if needed).", valueName: "store")) var to: String

    func run() throws {
        guard from != to, URL(fileURLWithPath: from).standardized != URL(fileURLWithPath: to).standardized else {
            throw ValidationError("--from and --to are the same store (\(from))")
        }
        let source = try StoreOptions.open(from)
        let target = try StoreOptions.open(to)
        guard source.location != target.location else {
            throw ValidationError("--from and --to are the same store (\(source.location))")
        }
        let summary = try StoreCopy.copy(from: source, to: target)
        print(
            "Copied \(summary.runs) run(s) and \(summary.studies) tuning study(ies) with \(summary.trials) trial(s) "
                + "from \(source.location) to \(target.location).")
        if summary.runsSkipped > 0 { print("Skipped \(summary.runsSkipped) run(s) already there.") }
        if !summary.studiesSkipped.isEmpty {
            print(
                "Skipped the tuning study(ies) \(summary.studiesSkipped.joined(separator: ", ")): the target has a "
                    + "study of that name.")
        }
    }
}
