import FashionData
import Foundation
import Reports
import _Files

/// `fashion data export`: a loaded dataset written as PNG folders or as Kaggle CSV, so a person
/// can look at the images and any tool can read them.
///
/// Folders: `DIR/train/<class>/<index>.png` and `DIR/test/<class>/<index>.png`, the index the
/// image's place in its split (zero-padded, so the file names sort in that order), and
/// `DIR/classes.txt` with the class folders in the dataset's order; `ImageFolder` reads it
/// back with the same pixels, labels and order. A class name's `/` becomes `-` in its
/// folder's name. CSV: `DIR/<name>_train.csv` and `DIR/<name>_test.csv`, `label,pixel1,...`
/// (grayscale only, as Kaggle's).
public enum DatasetExport {
    /// The forms a dataset can be written in: PNG folders or Kaggle CSV.
    public enum Format: String, CaseIterable, Sendable {
        case folders
        case csv
    }

    /// Picture `index` of a split of `count`: zero-padded to at least five digits, so the names
    /// sort in the split's order ("00042.png").
    static func pictureName(_ index: Int, of count: Int) -> String {
        String(index).leftPadded(to: max(5, String(count).count)) + ".png"
    }

    /// The folder name of each class.
    public static func folderNames(_ classNames: [String]) -> [String] {
        classNames.map { name in
            let cleaned = name.replacingOccurrences(of: "/", with: "-")
            return cleaned.hasPrefix(".") ? "_" + cleaned.dropFirst() : cleaned
        }
    }

    /// A tagged dataset as manifests: `DIR/<split>/<index>.png`, `DIR/train.csv` and
    /// `DIR/test.csv` (`file,tags`) and `DIR/classes.txt`, which `--data DIR` reads back.
    static func writeManifests(_ dataset: Dataset, format: Format, to folder: URL) throws -> Int {
        guard format == .folders else {
            throw StudyError.invalidField(
                name: "format", reason: "CSV holds one label an image; this dataset is tagged (use folders)")
        }
        var written = 0
        for (split, images) in [("train", dataset.train), ("test", dataset.test)] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent(split), withIntermediateDirectories: true)
            let colour: PNGEncoder.ColourType = images.channels == 3 ? .rgb : .grayscale
            var manifest = "file,tags\n"
            for index in 0..<images.count {
                let file = "\(split)/" + pictureName(index, of: images.count)
                try AtomicFile.write(
                    PNGEncoder.encode(
                        width: images.columns, height: images.rows, colourType: colour,
                        pixels: Array(images.image(at: index))), to: folder.appendingPathComponent(file))
                let tags = images.tags(at: index).enumerated().filter { $0.element != 0 }
                    .map { dataset.classNames[$0.offset] }
                manifest += Manifest.field(file) + "," + Manifest.field(tags.joined(separator: "|")) + "\n"
                written += 1
            }
            try AtomicFile.write(text: manifest, to: folder.appendingPathComponent("\(split).csv"))
        }
        try AtomicFile.write(
            text: dataset.classNames.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("classes.txt"))
        return written + 3
    }

    /// Writes `dataset` into `folder` (created if missing) and returns the files written.
    @discardableResult
    public static func write(_ dataset: Dataset, format: Format, to folder: URL) throws -> Int {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if dataset.isMultiLabel { return try writeManifests(dataset, format: format, to: folder) }
        switch format {
        case .folders:
            let names = folderNames(dataset.classNames)
            guard Set(names).count == names.count else {
                throw StudyError.invalidField(
                    name: "classNames",
                    reason: "two classes have the same folder name: \(names.joined(separator: ", "))")
            }
            var written = 0
            for (split, images) in [("train", dataset.train), ("test", dataset.test)] {
                for name in names {
                    try FileManager.default.createDirectory(
                        at: folder.appendingPathComponent(split).appendingPathComponent(name),
                        withIntermediateDirectories: true)
                }
                let colour: PNGEncoder.ColourType = images.channels == 3 ? .rgb : .grayscale
                for index in 0..<images.count {
                    let file = pictureName(index, of: images.count)
                    let url = folder.appendingPathComponent(split).appendingPathComponent(
                        names[Int(images.labels[index])]
                    )
                    .appendingPathComponent(file)
                    try AtomicFile.write(
                        PNGEncoder.encode(
                            width: images.columns, height: images.rows, colourType: colour,
                            pixels: Array(images.image(at: index))), to: url)
                    written += 1
                }
            }
            try AtomicFile.write(
                text: names.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("classes.txt"))
            return written + 1
        case .csv:
            guard dataset.train.channels == 1 else {
                throw StudyError.invalidField(
                    name: "format", reason: "CSV holds grayscale images; this dataset is in colour")
            }
            for (split, images) in [("train", dataset.train), ("test", dataset.test)] {
                var text = "label," + (1...images.pixelsPerImage).map { "pixel\($0)" }.joined(separator: ",") + "\n"
                text.reserveCapacity(images.pixels.count * 4)
                for index in 0..<images.count {
                    text += String(images.labels[index])
                    for value in images.image(at: index) {
                        text += ","
                        text += String(value)
                    }
                    text += "\n"
                }
                try AtomicFile.write(
                    text: text, to: folder.appendingPathComponent("\(dataset.name.lowercased())_\(split).csv"))
            }
            return 2
        }
    }
}
