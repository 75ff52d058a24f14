import ArgumentParser
import FashionData
import Foundation
import Reports

struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Write a PNG sprite of sample images: one class a row, labelled.")

    enum Split: String, ExpressibleByArgument, CaseIterable { case train, test }

    @OptionGroup var dataset: DatasetOptions

    @Option(name: .customLong("per-class"), help: "Samples per class.")
    var perClass = 10

    @Option(help: "Which split to sample.")
    var split: Split = .train

    @Option(help: "Seed that picks the samples.")
    var seed: UInt64 = 0

    @Option(help: "Each image pixel becomes a scale x scale block.")
    var scale = 2

    @Option(name: [.short, .long], help: ArgumentHelp("The PNG file to write.", valueName: "file"))
    var output = "fashion-samples.png"

    func validate() throws {
        guard (1...100).contains(perClass) else {
            throw ValidationError("--per-class: expected 1...100, found \(perClass)")
        }
        guard (1...16).contains(scale) else { throw ValidationError("--scale: expected 1...16, found \(scale)") }
    }

    func run() throws {
        let loaded = try dataset.load()
        let images = split == .train ? loaded.train : loaded.test
        let sprite = SampleSprite(
            dataset: loaded, images: images, splitName: split.rawValue, perClass: perClass, seed: seed, scale: scale)
        let url = URL(fileURLWithPath: output)
        try sprite.writePNG(to: url)
        print("Wrote \(url.path): \(perClass) \(split.rawValue) samples for each of \(loaded.classCount) classes.")
    }
}

extension SampleSprite {
    /// A sprite of `perClass` samples of every class of `dataset`.
    init(dataset: Dataset, images: LabeledImages, splitName: String, perClass: Int, seed: UInt64, scale: Int) {
        let chosen = images.sampleIndices(perClass: perClass, classCount: dataset.classCount, seed: seed)
        let rows = chosen.enumerated().map { label, indices in
            Row(label: "\(label) \(dataset.classNames[label])", images: indices.map { images.image(at: $0) })
        }
        self.init(
            title: "\(dataset.name): \(perClass) \(splitName) samples per class",
            rows: rows, imageRows: images.rows, imageColumns: images.columns, scale: scale)
        imageChannels = images.channels
    }
}
