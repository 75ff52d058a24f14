import FashionData
import Foundation
import NumericCore
import Reports
import _Files

/// The outfit benchmark (`fashion data make-outfits`): Fashion-MNIST items composed into
/// multi-label pictures, so tagging has a dataset anyone can rebuild.
///
/// Each outfit is a 2x2 grid of 28x28 cells (56x56 grayscale); each cell is empty with
/// probability `emptyCell`, else an item drawn at random (with replacement) from the split, at
/// least one cell filled (an outfit drawn all empty is drawn again). Its tags are the classes
/// of its items. Training outfits take items from the training split only and test outfits
/// from the test split only. Everything comes from one seeded stream, so the same seed gives
/// the same files byte for byte.
///
/// Written as a manifest dataset: `DIR/train/<index>.png`, `DIR/test/<index>.png`,
/// `DIR/train.csv` and `DIR/test.csv` (`file,tags`), `DIR/classes.txt` (the ten classes), and
/// `DIR/cells.csv` (each outfit's four cells: the source split's item index or -1 for empty),
/// which the oracle of the benchmark reads.
public enum Outfits {
    /// How many outfits to make, from which seed, and how often a cell is empty.
    public struct Options: Sendable {
        public var trainCount = 30_000
        public var testCount = 5_000
        public var seed: UInt64 = 0
        public var emptyCell = 0.35

        public init() {}
    }

    /// One outfit: the item index in its split for each cell (row-major), nil where empty.
    public struct Composition: Sendable, Equatable {
        public let cells: [Int?]
    }

    public static let cellSide = 28
    public static let side = 56

    /// The compositions of both splits, drawn from the seed.
    public static func compose(trainItems: Int, testItems: Int, options: Options) -> (
        train: [Composition], test: [Composition]
    ) {
        var generator = SeededGenerator(seed: options.seed)
        func draw(_ count: Int, items: Int) -> [Composition] {
            (0..<count).map { _ in
                while true {
                    let cells: [Int?] = (0..<4).map { _ in
                        Double(generator.nextUnitFloat()) < options.emptyCell ? nil : generator.nextIndex(below: items)
                    }
                    if cells.contains(where: { $0 != nil }) { return Composition(cells: cells) }
                }
            }
        }
        let train = draw(options.trainCount, items: trainItems)
        let test = draw(options.testCount, items: testItems)
        return (train, test)
    }

    /// The 56x56 pixels of an outfit made of `images`' items.
    public static func pixels(of composition: Composition, from images: LabeledImages) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: side * side)
        for (cell, item) in composition.cells.enumerated() {
            guard let item else { continue }
            let top = (cell / 2) * cellSide
            let left = (cell % 2) * cellSide
            let source = images.image(at: item)
            for row in 0..<cellSide {
                for column in 0..<cellSide {
                    pixels[(top + row) * side + left + column] = source[source.startIndex + row * cellSide + column]
                }
            }
        }
        return pixels
    }

    /// The tags of an outfit: the sorted distinct classes of its items.
    public static func tags(of composition: Composition, from images: LabeledImages) -> [Int] {
        Array(Set(composition.cells.compactMap { $0.map { Int(images.labels[$0]) } })).sorted()
    }

    /// Writes the benchmark into `folder` from a grayscale 28x28 dataset; returns the files written.
    @discardableResult
    public static func write(from dataset: Dataset, to folder: URL, options: Options) throws -> Int {
        guard dataset.train.rows == cellSide, dataset.train.columns == cellSide, dataset.train.channels == 1,
            !dataset.isMultiLabel
        else {
            throw StudyError.invalidField(
                name: "data",
                reason:
                    "outfits are made of 28x28 grayscale single-label items; this dataset's images are "
                    + "\(dataset.train.shape)\(dataset.isMultiLabel ? " with tags" : "")")
        }
        guard options.trainCount >= 1, options.testCount >= 1, options.trainCount + options.testCount <= 10_000_000
        else {
            throw StudyError.invalidField(
                name: "count",
                reason: "expected 1 to 10,000,000 outfits a split, found \(options.trainCount) and "
                    + "\(options.testCount)")
        }
        guard (0..<1).contains(options.emptyCell) else {
            throw StudyError.invalidField(
                name: "emptyCell", reason: "expected a probability in [0, 1), found \(options.emptyCell)")
        }
        let made = compose(trainItems: dataset.train.count, testItems: dataset.test.count, options: options)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var cells = "split,outfit,cell0,cell1,cell2,cell3\n"
        for (split, compositions, images) in [
            ("train", made.train, dataset.train), ("test", made.test, dataset.test),
        ] {
            let splitFolder = folder.appendingPathComponent(split)
            try FileManager.default.createDirectory(at: splitFolder, withIntermediateDirectories: true)
            let count = compositions.count
            @Sendable func name(_ index: Int) -> String { DatasetExport.pictureName(index, of: count) }
            let failures = Slots<String>(count: 2)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                for index in stride(from: part, to: compositions.count, by: 2) {
                    let png = PNGEncoder.encode(
                        width: side, height: side, colourType: .grayscale,
                        pixels: pixels(of: compositions[index], from: images))
                    do {
                        try AtomicFile.write(png, to: splitFolder.appendingPathComponent(name(index)))
                    } catch {
                        failures[part] = "\(error)"
                        return
                    }
                }
            }
            if let failure = failures.values.compactMap({ $0 }).first {
                throw StudyError.invalidField(name: "output", reason: failure)
            }
            var manifest = "file,tags\n"
            for (index, composition) in compositions.enumerated() {
                let tags = tags(of: composition, from: images).map { dataset.classNames[$0] }
                manifest +=
                    Manifest.field("\(split)/\(name(index))") + ","
                    + Manifest.field(tags.joined(separator: "|")) + "\n"
                cells +=
                    "\(split),\(index),"
                    + composition.cells.map { $0.map(String.init) ?? "-1" }
                    .joined(separator: ",") + "\n"
            }
            try AtomicFile.write(text: manifest, to: folder.appendingPathComponent("\(split).csv"))
        }
        try AtomicFile.write(text: cells, to: folder.appendingPathComponent("cells.csv"))
        try AtomicFile.write(
            text: dataset.classNames.joined(separator: "\n") + "\n",
            to: folder.appendingPathComponent(ClassNames.fileName))
        return made.train.count + made.test.count + 4
    }
}
