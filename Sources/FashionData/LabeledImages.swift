import NumericCore

/// A set of same-sized images (grayscale or colour) with one class label each, kept as bytes.
///
/// Pixels stay `UInt8` in memory (the 60,000 training images take 47 MB this way, four times
/// less than as `Float`); conversion to `Float` in [0, 1] happens per batch
/// (`fillBatch(indices:into:)`). Layout: image-major, then row-major, channels last,
/// `pixels[((image * rows + row) * columns + column) * channels + channel]`, i.e.
/// `[count, rows, columns, channels]`.
public struct LabeledImages: Sendable, Equatable {
    public let pixels: [UInt8]
    public let labels: [UInt8]
    public let rows: Int
    public let columns: Int
    /// 1 (grayscale) or 3 (RGB).
    public let channels: Int
    /// Multi-label data: each image's tags, multi-hot `[count, tagCount]` (1 where the image has
    /// the tag), with `labels` holding each image's first tag; nil for single-label data.
    public let tags: [UInt8]?
    /// The number of tags of multi-label data; 0 otherwise.
    public var tagCount: Int { tags == nil ? 0 : tagColumns }
    private let tagColumns: Int
    public var isMultiLabel: Bool { tags != nil }

    public var count: Int { labels.count }
    /// Values of one image: `rows * columns * channels`.
    public var pixelsPerImage: Int { rows * columns * channels }
    /// The shape of each image.
    public var shape: ImageShape { ImageShape(height: rows, width: columns, channels: channels) }

    /// - Precondition: `pixels.count == labels.count * rows * columns * channels`, and
    ///   `tags.count == labels.count * tagCount` (the readers check these for user data and
    ///   throw before calling).
    public init(
        pixels: [UInt8], labels: [UInt8], rows: Int, columns: Int, channels: Int = 1, tags: [UInt8]? = nil,
        tagCount: Int = 0
    ) {
        precondition(
            pixels.count == labels.count * rows * columns * channels,
            "pixel count does not match labels x rows x columns x channels")
        precondition(tags == nil || (tagCount > 0 && tags!.count == labels.count * tagCount), "tags x tagCount")
        self.pixels = pixels
        self.labels = labels
        self.rows = rows
        self.columns = columns
        self.channels = channels
        self.tags = tags
        self.tagColumns = tags == nil ? 0 : tagCount
    }

    /// The tags of image `index` (multi-hot, `tagCount` values); empty for single-label data.
    public func tags(at index: Int) -> ArraySlice<UInt8> {
        guard let tags else { return [] }
        return tags[(index * tagColumns)..<((index + 1) * tagColumns)]
    }

    /// The pixels of image `index`, `pixelsPerImage` bytes in row-major order.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        pixels[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: some Collection<Int>) -> LabeledImages {
        var newPixels = [UInt8]()
        newPixels.reserveCapacity(indices.count * pixelsPerImage)
        var newLabels = [UInt8]()
        newLabels.reserveCapacity(indices.count)
        var newTags = tags.map { _ in [UInt8]() }
        newTags?.reserveCapacity(indices.count * tagColumns)
        for index in indices {
            newPixels.append(contentsOf: image(at: index))
            newLabels.append(labels[index])
            newTags?.append(contentsOf: tags(at: index))
        }
        return LabeledImages(
            pixels: newPixels, labels: newLabels, rows: rows, columns: columns, channels: channels, tags: newTags,
            tagCount: tagColumns)
    }

    /// How many images each class has, for classes `0..<classCount` (for multi-label data, how
    /// many have each tag).
    public func classCounts(classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        if let tags {
            for (i, value) in tags.enumerated() where value != 0 && i % tagColumns < classCount {
                counts[i % tagColumns] += 1
            }
            return counts
        }
        for label in labels where Int(label) < classCount { counts[Int(label)] += 1 }
        return counts
    }

    /// Checks that every label names one of `classCount` classes.
    public func validateLabels(classCount: Int, path: String) throws(DataError) {
        if let index = labels.firstIndex(where: { Int($0) >= classCount }) {
            throw .labelOutOfRange(path: path, index: index, label: Int(labels[index]), classCount: classCount)
        }
    }
}

extension LabeledImages {
    /// Up to `perClass` image indices for each class `0..<classCount`, chosen by a shuffle
    /// seeded with `seed`, in ascending order within a class.
    public func sampleIndices(perClass: Int, classCount: Int, seed: UInt64) -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() where Int(label) < classCount { byClass[Int(label)].append(index) }
        var generator = SeededGenerator(seed: seed)
        return byClass.map { members in
            var shuffled = members
            shuffled.seededShuffle(using: &generator)
            return shuffled.prefix(max(0, perClass)).sorted()
        }
    }
}

extension LabeledImages {
    /// The same images with their classes as tags (one each, of `tagCount`), to train a tagger
    /// on single-label data.
    public func withClassesAsTags(tagCount: Int) -> LabeledImages {
        guard !isMultiLabel else { return self }
        var tags = [UInt8](repeating: 0, count: count * tagCount)
        for (index, label) in labels.enumerated() where Int(label) < tagCount {
            tags[index * tagCount + Int(label)] = 1
        }
        return LabeledImages(
            pixels: pixels, labels: labels, rows: rows, columns: columns, channels: channels, tags: tags,
            tagCount: tagCount)
    }
}
