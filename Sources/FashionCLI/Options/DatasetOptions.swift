import ArgumentParser
import FashionData
import Foundation

/// The options every command that reads the dataset shares.
struct DatasetOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp("Folder holding the dataset (IDX or CSV files).", valueName: "dir"))
    var folder: String?

    @Option(
        help: ArgumentHelp(
            "Class-names file, one name a line (default: classes.txt beside the data, else Fashion-MNIST's names).",
            valueName: "file"))
    var classes: String?

    func locate() throws -> DatasetLocation {
        try DatasetLocator.locate(explicit: folder.map { URL(fileURLWithPath: $0) })
    }

    func load() throws -> Dataset {
        try Dataset.load(from: locate(), classNamesFile: classes.map { URL(fileURLWithPath: $0) })
    }
}
