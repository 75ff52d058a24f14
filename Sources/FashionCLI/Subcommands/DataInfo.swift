import ArgumentParser
import FashionData
import Foundation

struct DataInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print counts, per-class counts, pixel statistics and where the files came from.")

    @OptionGroup var dataset: DatasetOptions

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    @Option(
        name: .customLong("val-split"),
        help: ArgumentHelp(
            "Also show a stratified validation split of this fraction of the training set.", valueName: "fraction"))
    var validationFraction: Double?

    @Option(help: "Seed of the validation split.")
    var seed: UInt64 = 0

    func run() throws {
        let loaded = try dataset.load()
        let summary = try FlagNames.translating {
            try DatasetSummary(dataset: loaded, validationFraction: validationFraction, seed: seed)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
    }
}
