import ArgumentParser
import FashionData
import Foundation
import Studies

struct DataMakeOutfits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-outfits",
        abstract: "Compose Fashion-MNIST items into tagged outfits (the multi-label benchmark).",
        discussion: """
            Each outfit is a 56x56 grayscale 2x2 grid of 28x28 cells, each empty with probability --empty \
            (at least one filled), the items drawn from the training split for training outfits and from \
            the test split for test outfits; its tags are the classes of its items. Writes \
            DIR/train/*.png, DIR/test/*.png, the manifests DIR/train.csv and DIR/test.csv (file,tags), \
            DIR/classes.txt and DIR/cells.csv (each cell's item, -1 for empty). The same seed gives the \
            same files. Train on it with `fashion train --data DIR`.
            """)

    @OptionGroup var dataset: DatasetOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The folder to write into.", valueName: "dir"))
    var output: String

    @Option(help: "Training outfits.")
    var count = 30_000

    @Option(help: "Test outfits.")
    var testCount = 5_000

    @Option(help: "Seed of the compositions.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("The probability that a cell is empty.", valueName: "probability"))
    var empty = 0.35

    func run() throws {
        let loaded = try dataset.load()
        var options = Outfits.Options()
        options.trainCount = count
        options.testCount = testCount
        options.seed = seed
        options.emptyCell = empty
        let folder = URL(fileURLWithPath: output)
        let files = try FlagNames.translating { try Outfits.write(from: loaded, to: folder, options: options) }
        print(
            "Wrote \(count) training and \(testCount) test outfits (seed \(seed)) into \(folder.path) (\(files) files)")
    }
}
