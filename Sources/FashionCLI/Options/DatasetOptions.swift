import ArgumentParser
import FashionData
import Foundation

extension ImageFolder.Colour: ExpressibleByArgument {}

/// The options every command that reads the dataset shares.
struct DatasetOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "Folder holding the dataset (IDX or CSV files, or class folders of PNG/JPEG pictures).", valueName: "dir"))
    var folder: String?

    @Option(
        help: ArgumentHelp(
            "Class-names file, one name a line (default: classes.txt beside the data, else Fashion-MNIST's names).",
            valueName: "file"))
    var classes: String?

    @Option(
        help: ArgumentHelp(
            "Pictures: the images' size, H or HxW (default: the pictures' own if all share it, else 28x28).",
            valueName: "size"))
    var imageSize: String?

    @Option(help: "Pictures: grayscale or rgb (default: rgb if any picture is in colour).")
    var color: ImageFolder.Colour?

    @Option(
        help: ArgumentHelp(
            "Pictures in one tree of class folders: the test share (seeded, stratified).", valueName: "fraction"))
    var testSplit = 0.2

    @Option(help: "Pictures in one tree: the seed of the test split.")
    var testSplitSeed: UInt64 = 0

    @Flag(help: "Pictures: skip those that cannot be used (listing them) rather than stop.")
    var skipBadImages = false

    func validate() throws {
        if let imageSize, ImageFolder.ImageSize(parsing: imageSize) == nil {
            throw ValidationError(
                "--image-size: expected H or HxW with sides of 1 to 4096, such as 64 or 96x64, found '\(imageSize)'")
        }
        guard testSplit > 0, testSplit < 1 else {
            throw ValidationError("--test-split: expected a fraction between 0 and 1, found \(testSplit)")
        }
    }

    func locate() throws -> DatasetLocation {
        try DatasetLocator.locate(explicit: folder.map { URL(fileURLWithPath: $0) })
    }

    /// How folders of pictures are read; decoded folders are kept in the user's cache folder.
    var folderOptions: ImageFolder.Options {
        var options = ImageFolder.Options()
        options.imageSize = imageSize.flatMap(ImageFolder.ImageSize.init(parsing:))
        options.colour = color
        options.testSplit = testSplit
        options.seed = testSplitSeed
        options.skipBadImages = skipBadImages
        options.cacheFolder = DatasetLocator.cacheFolder().deletingLastPathComponent().appendingPathComponent("folders")
        return options
    }

    func load() throws -> Dataset {
        let dataset = try Dataset.load(
            from: locate(), classNamesFile: classes.map { URL(fileURLWithPath: $0) }, folders: folderOptions)
        if let report = dataset.folderReport {
            for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            for skipped in report.skipped {
                FileHandle.standardError.write(Data("skipped: \(skipped.path): \(skipped.reason)\n".utf8))
            }
        }
        return dataset
    }
}
