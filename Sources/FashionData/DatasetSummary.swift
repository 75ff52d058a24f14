import Foundation

/// The facts `fashion data info` prints: counts, per-class counts, pixel statistics and
/// where the files came from. Codable, so `--json` prints exactly the same facts.
public struct DatasetSummary: Sendable, Codable, Equatable {
    /// The counts and pixel statistics of one split.
    public struct Split: Sendable, Codable, Equatable {
        public let count: Int
        public let classCounts: [Int]
        /// Mean and standard deviation of all pixels, scaled to [0, 1].
        public let pixelMean: Double
        public let pixelStandardDeviation: Double
    }

    public let name: String
    public let folder: String
    public let foundBy: String
    public let format: String
    public let files: [String]
    public let imageRows: Int
    public let channels: Int
    public let imageColumns: Int
    public let classNames: [String]
    public let train: Split
    /// Present when a validation split was asked for; `train` then counts what remains.
    public let validation: Split?
    public let validationSeed: UInt64?
    public let test: Split
    /// Whether the images carry tags (a class count is then how many images have the tag).
    public var multiLabel: Bool? = nil

    /// Summarises `dataset`; with `validationFraction`, the training set is split first
    /// (stratified, seeded) and both parts are summarised.
    public init(dataset: Dataset, validationFraction: Double? = nil, seed: UInt64 = 0) throws(DataError) {
        name = dataset.name
        folder = dataset.location.folder.path
        foundBy = dataset.location.origin.rawValue
        format = dataset.location.layout.formatName
        files = dataset.location.layout.files.map(\.lastPathComponent)
        imageRows = dataset.train.rows
        channels = dataset.train.channels
        imageColumns = dataset.train.columns
        classNames = dataset.classNames
        if let validationFraction {
            let parts = try dataset.train.stratifiedSplit(validationFraction: validationFraction, seed: seed)
            train = Self.split(parts.train, classCount: dataset.classCount)
            validation = Self.split(parts.validation, classCount: dataset.classCount)
            validationSeed = seed
        } else {
            train = Self.split(dataset.train, classCount: dataset.classCount)
            validation = nil
            validationSeed = nil
        }
        test = Self.split(dataset.test, classCount: dataset.classCount)
        multiLabel = dataset.isMultiLabel ? true : nil
    }

    static func split(_ images: LabeledImages, classCount: Int) -> Split {
        let (mean, deviation) = pixelStatistics(images.pixels)
        return Split(
            count: images.count, classCounts: images.classCounts(classCount: classCount), pixelMean: mean,
            pixelStandardDeviation: deviation)
    }

    /// Mean and population standard deviation of bytes scaled to [0, 1], from a histogram
    /// (exact, and one pass).
    static func pixelStatistics(_ pixels: [UInt8]) -> (Double, Double) {
        guard !pixels.isEmpty else { return (0, 0) }
        var histogram = [Int](repeating: 0, count: 256)
        pixels.withUnsafeBufferPointer { for p in $0 { histogram[Int(p)] += 1 } }
        let n = Double(pixels.count)
        var sum = 0.0
        for v in 0..<256 { sum += Double(v) / 255 * Double(histogram[v]) }
        let mean = sum / n
        var squares = 0.0
        for v in 0..<256 {
            let d = Double(v) / 255 - mean
            squares += d * d * Double(histogram[v])
        }
        return (mean, (squares / n).squareRoot())
    }

    /// The summary as aligned text for a terminal.
    public var text: String {
        var lines = [String]()
        lines.append("Dataset      \(name)")
        lines.append("Folder       \(folder)  (found by \(foundBy))")
        lines.append("Format       \(format): \(files.joined(separator: ", "))")
        lines.append(
            "Images       \(imageRows)x\(imageColumns) \(channels == 3 ? "RGB" : "grayscale"), "
                + "\(classNames.count) \(multiLabel == true ? "tags (any number an image)" : "classes")"
        )
        lines.append("")
        let width = max(12, classNames.map(\.count).max() ?? 0) + 2
        let splits = [("train", train)] + (validation.map { [("validation", $0)] } ?? []) + [("test", test)]
        func row(_ head: String, _ values: [Int]) -> String {
            head.padding(toLength: width + 4, withPad: " ", startingAt: 0)
                + values.map { "\($0)".leftPadded(to: 12, with: " ") }.joined()
        }
        lines.append(
            (multiLabel == true ? "tag" : "class").padding(toLength: width + 4, withPad: " ", startingAt: 0)
                + splits.map { $0.0.leftPadded(to: 12, with: " ") }.joined())
        for (index, className) in classNames.enumerated() {
            let head = "\(index)".leftPadded(to: 2, with: " ") + "  " + className
            lines.append(row(head, splits.map { $0.1.classCounts[index] }))
        }
        lines.append(row(multiLabel == true ? "images" : "total", splits.map { $0.1.count }))
        if multiLabel == true { lines.append("(a tag's count is how many images have it)") }
        if let validationSeed {
            lines.append("(validation: stratified split of the training set, seed \(validationSeed))")
        }
        lines.append("")
        lines.append("Pixels (scaled to [0, 1]):")
        for (name, split) in splits {
            lines.append(
                "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + "mean \(format4(split.pixelMean))  std \(format4(split.pixelStandardDeviation))")
        }
        return lines.joined(separator: "\n")
    }

    private func format4(_ value: Double) -> String { String(format: "%.4f", value) }
}
