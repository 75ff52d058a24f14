import Foundation
import NumericCore

extension ImageFolder {
    /// The smallest side a picture may have.
    public static let minimumSide = 4

    /// Decodes and prepares every entry on all cores: first the headers (to settle the size
    /// and colour the options leave open), then the pictures.
    /// - Parameter tagCount: for a manifest's entries, the number of tags (0: class folders).
    static func decode(
        _ entries: [Entry], classNames: [String], options: Options, split: Bool, report: Report, tagCount: Int = 0
    ) throws(DataError) -> Loaded {
        var report = report
        let headers = Slots<Result<(width: Int, height: Int, isColour: Bool), DataError>>(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: entries.count) { index in
            headers[index] = Result { () throws(DataError) in
                try header(of: entries[index], maxPixels: options.maxPixels)
            }
        }
        var usable = [Int]()
        var failures = [Skipped]()
        var sizes = [String: Int]()
        var anyColour = false
        for (index, result) in headers.values.enumerated() {
            switch result! {
            case .success(let header):
                usable.append(index)
                sizes["\(header.width)x\(header.height)", default: 0] += 1
                anyColour = anyColour || header.isColour
            case .failure(let error):
                failures.append(
                    Skipped(path: entries[index].path, reason: DataError.text(of: error, without: entries[index].path)))
            }
        }
        let colour = options.colour ?? (anyColour ? .rgb : .grayscale)
        let size: ImageSize
        if let given = options.imageSize {
            size = given
        } else if sizes.count == 1, let only = sizes.keys.first, let parsed = ImageSize(parsing: only),
            parsed.height <= 512, parsed.width <= 512
        {
            size = parsed
        } else {
            size = ImageSize(height: 28, width: 28)
            if !sizes.isEmpty {
                let examples = sizes.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) (\($0.value))" }
                report.notes.append(
                    "the pictures have \(sizes.count) sizes (\(examples.joined(separator: ", "))); all are made "
                        + "28x28 (choose with the image size option)")
            }
        }
        let channels = colour.channels
        let valueCount = size.height * size.width * channels
        let pixels = Slots<Result<[UInt8], DataError>>(count: entries.count)
        let decodable = usable
        DispatchQueue.concurrentPerform(iterations: decodable.count) { position in
            let entry = entries[decodable[position]]
            pixels[decodable[position]] = Result { () throws(DataError) in
                let bytes = try read(entry.path)
                let image = try PhotoDecoder.decode(bytes, path: entry.path, maxPixels: options.maxPixels)
                if options.fit == .fashionMNIST, channels == 1 {
                    return ImagePreparation.prepare(image, rows: size.height, columns: size.width)
                }
                return ImagePreparation.letterbox(image, rows: size.height, columns: size.width, channels: channels)
            }
        }
        var train = (pixels: [UInt8](), labels: [UInt8](), tags: [UInt8]())
        var test = (pixels: [UInt8](), labels: [UInt8](), tags: [UInt8]())
        var kept = [Int]()
        for index in usable {
            switch pixels[index]! {
            case .success: kept.append(index)
            case .failure(let error):
                failures.append(
                    Skipped(path: entries[index].path, reason: DataError.text(of: error, without: entries[index].path)))
            }
        }
        if !failures.isEmpty {
            guard options.skipBadImages else {
                let first = failures.sorted { $0.path < $1.path }[0]
                let others = failures.count > 1 ? " (and \(failures.count - 1) more pictures)" : ""
                throw .invalidImage(path: first.path, reason: first.reason + others)
            }
            report.skipped += failures.sorted { $0.path < $1.path }
        }
        var testIndices = Set<Int>()
        if split {
            testIndices = stratifiedTest(kept.map { entries[$0].label }, share: options.testSplit, seed: options.seed)
            report.notes.append(
                "one tree of \(kept.count) pictures, split \(kept.count - testIndices.count) train / "
                    + "\(testIndices.count) test (seed \(options.seed), stratified)")
        }
        for (position, index) in kept.enumerated() {
            guard case .success(let values) = pixels[index]!, values.count == valueCount else { continue }
            let label = UInt8(entries[index].label)
            var tags = [UInt8](repeating: 0, count: tagCount)
            for tag in entries[index].tags { tags[tag] = 1 }
            if entries[index].isTest || testIndices.contains(position) {
                test.pixels += values
                test.labels.append(label)
                test.tags += tags
            } else {
                train.pixels += values
                train.labels.append(label)
                train.tags += tags
            }
        }
        let multiLabel = tagCount > 0
        return Loaded(
            train: LabeledImages(
                pixels: train.pixels, labels: train.labels, rows: size.height, columns: size.width, channels: channels,
                tags: multiLabel ? train.tags : nil, tagCount: tagCount),
            test: LabeledImages(
                pixels: test.pixels, labels: test.labels, rows: size.height, columns: size.width, channels: channels,
                tags: multiLabel ? test.tags : nil, tagCount: tagCount),
            classNames: classNames, report: report)
    }

    /// Positions (into `labels`) of a seeded, stratified test share: per class, that share of
    /// its pictures, rounded, chosen by a shuffle.
    static func stratifiedTest(_ labels: [Int], share: Double, seed: UInt64) -> Set<Int> {
        var byClass = [Int: [Int]]()
        for (position, label) in labels.enumerated() { byClass[label, default: []].append(position) }
        var generator = SeededGenerator(seed: seed)
        var chosen = Set<Int>()
        for label in byClass.keys.sorted() {
            var positions = byClass[label]!
            positions.seededShuffle(using: &generator)
            let count = min(positions.count - 1, Int((Double(positions.count) * share).rounded()))
            if count > 0 { chosen.formUnion(positions.prefix(count)) }
        }
        return chosen
    }

    static func header(of entry: Entry, maxPixels: Int) throws(DataError) -> (width: Int, height: Int, isColour: Bool) {
        let bytes = try read(entry.path)
        guard PhotoDecoder.kind(of: bytes) != nil else {
            throw .invalidImage(path: entry.path, reason: "not a PNG or JPEG picture (by its first bytes)")
        }
        guard let header = PhotoDecoder.header(bytes) else {
            throw .invalidImage(path: entry.path, reason: "its header cannot be read (the file is damaged or cut off)")
        }
        guard header.width >= minimumSide, header.height >= minimumSide else {
            throw .invalidImage(
                path: entry.path,
                reason:
                    "it is \(header.width)x\(header.height) pixels; at least \(minimumSide)x\(minimumSide) are needed")
        }
        guard header.width.multipliedReportingOverflow(by: header.height).partialValue <= maxPixels else {
            throw .invalidImage(
                path: entry.path,
                reason: "it declares \(header.width)x\(header.height) pixels; at most \(maxPixels) are taken a picture")
        }
        return header
    }

    static func read(_ path: String) throws(DataError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot be read")
        }
        return [UInt8](data)
    }

}
