import ArgumentParser
import FashionData
import Foundation
import NeuralNet

extension ImageFolder.Colour: ExpressibleByArgument {}
extension PictureFit: ExpressibleByArgument {}

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
            "Pictures: the images' size, H or HxW (default: a judged model's; else the pictures' own if all "
                + "share it, else 28x28).",
            valueName: "size"))
    var imageSize: String?

    @Option(help: "Pictures: grayscale or rgb (default: a judged model's; else rgb if any picture is in colour).")
    var color: ImageFolder.Colour?

    @Option(
        help: ArgumentHelp(
            "Pictures: how each becomes an image: letterbox (as it is, scaled and centred) or fashion_mnist "
                + "(grayscale, light on dark, trimmed, as Fashion-MNIST's were) (default: a judged or fine-tuned "
                + "model's; else letterbox).", valueName: "fit"))
    var fit: PictureFit?

    @Option(
        help: ArgumentHelp(
            "Pictures in one tree of class folders: the test share (seeded, stratified).", valueName: "fraction"))
    var testSplit = 0.2

    @Option(help: "Pictures in one tree: the seed of the test split.")
    var testSplitSeed: UInt64 = 0

    @Flag(help: "Pictures: skip those that cannot be used (listing them) rather than stop.")
    var skipBadImages = false

    func validate() throws {
        if fit == .fashionMNIST, color == .rgb {
            throw ValidationError("--fit fashion_mnist makes grayscale images; not with --color rgb")
        }
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
        options.colour = color ?? (fit == .fashionMNIST ? .grayscale : nil)
        options.testSplit = testSplit
        options.seed = testSplitSeed
        options.skipBadImages = skipBadImages
        options.fit = fit ?? .letterbox
        options.cacheFolder = DatasetLocator.cacheFolder().deletingLastPathComponent().appendingPathComponent("folders")
        return options
    }

    func load() throws -> Dataset {
        try load(folders: folderOptions)
    }

    /// Loads the dataset to judge a model on: folders of pictures are prepared as the model's file
    /// says it was trained (its image size and colour), so neither flag needs repeating; a flag
    /// that disagrees with the model is an error naming both.
    func load(preparedFor preprocessing: Preprocessing, model path: String) throws -> Dataset {
        var options = folderOptions
        let size = ImageFolder.ImageSize(height: preprocessing.image.height, width: preprocessing.image.width)
        let colour: ImageFolder.Colour = preprocessing.image.channels == 3 ? .rgb : .grayscale
        if let given = options.imageSize, given != size {
            throw ValidationError(
                "--image-size \(given) disagrees with the model \(path), which takes \(size) images; leave the "
                    + "flag out to prepare the pictures as the model was trained")
        }
        if let given = options.colour, given != colour {
            throw ValidationError(
                "--color \(given.rawValue) disagrees with the model \(path), which takes \(colour.rawValue) images; "
                    + "leave the flag out to prepare the pictures as the model was trained")
        }
        options.imageSize = size
        options.colour = colour
        // A model of Fashion-MNIST sees photos made as its images were (as fashion predict makes them).
        let modelFit: PictureFit =
            preprocessing.photos == .fashionMNIST && colour == .grayscale ? .fashionMNIST : .letterbox
        if let given = fit, given != modelFit {
            throw ValidationError(
                "--fit \(given.rawValue) disagrees with the model \(path), which takes pictures made by "
                    + "\(modelFit.rawValue); leave the flag out to prepare the pictures as the model was trained")
        }
        options.fit = modelFit
        return try load(folders: options)
    }

    private func load(folders: ImageFolder.Options) throws -> Dataset {
        let dataset = try Dataset.load(
            from: locate(), classNamesFile: classes.map { URL(fileURLWithPath: $0) }, folders: folders)
        if let report = dataset.folderReport {
            for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            for skipped in report.skipped {
                FileHandle.standardError.write(Data("skipped: \(skipped.path): \(skipped.reason)\n".utf8))
            }
        }
        return dataset
    }
}
