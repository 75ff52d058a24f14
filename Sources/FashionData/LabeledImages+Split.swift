import NumericCore

extension LabeledImages {
    /// Splits off a validation set, stratified by class: each class gives the same share of
    /// its images (rounded), chosen by a shuffle seeded with `seed`. Both parts keep the
    /// original order of their images, so the same seed always gives the same split.
    ///
    /// - Parameters:
    ///   - validationFraction: in (0, 1), for example 0.1 for 10%.
    ///   - seed: seeds the shuffle that chooses the validation images.
    public func stratifiedSplit(validationFraction: Double, seed: UInt64) throws(DataError) -> (
        train: LabeledImages, validation: LabeledImages
    ) {
        guard validationFraction > 0, validationFraction < 1 else {
            throw .invalidArgument(
                name: "validationFraction",
                reason: "expected a fraction between 0 and 1 (exclusive), found \(validationFraction)")
        }
        var byClass = [[Int]](repeating: [], count: 256)
        for (index, label) in labels.enumerated() { byClass[Int(label)].append(index) }
        var generator = SeededGenerator(seed: seed)
        var isValidation = [Bool](repeating: false, count: count)
        for var members in byClass where !members.isEmpty {
            members.seededShuffle(using: &generator)
            let take = Int((Double(members.count) * validationFraction).rounded())
            for index in members.prefix(take) { isValidation[index] = true }
        }
        let trainIndices = indices(where: isValidation, equalTo: false)
        let validationIndices = indices(where: isValidation, equalTo: true)
        guard !trainIndices.isEmpty, !validationIndices.isEmpty else {
            throw .invalidArgument(
                name: "validationFraction",
                reason:
                    "a fraction of \(validationFraction) of \(count) images leaves \(trainIndices.count) for "
                    + "training and \(validationIndices.count) for validation; both need at least one"
            )
        }
        return (subset(trainIndices), subset(validationIndices))
    }

    private func indices(where flags: [Bool], equalTo value: Bool) -> [Int] {
        flags.indices.filter { flags[$0] == value }
    }
}

extension LabeledImages {
    /// Writes the images at `indices` as `Float` in [0, 1] (`pixel / 255`, as Keras
    /// notebooks scale them) into `batch`, image after image:
    /// `[indices.count, rows * columns]`, row-major.
    ///
    /// - Precondition: `batch.count >= indices.count * pixelsPerImage`.
    public func fillBatch(indices: some Collection<Int>, into batch: UnsafeMutableBufferPointer<Float>) {
        precondition(batch.count >= indices.count * pixelsPerImage, "batch buffer too small")
        let size = pixelsPerImage
        pixels.withUnsafeBufferPointer { source in
            // The images are scattered over the training set (tens of MB, more than the caches):
            // while one is converted, the next one is on its way from memory.
            var offset = 0
            var next = indices.makeIterator()
            var current = next.next()
            if let current { Kernels.prefetch(source.baseAddress! + current * size, count: size) }
            while let index = current {
                current = next.next()
                if let upcoming = current { Kernels.prefetch(source.baseAddress! + upcoming * size, count: size) }
                Kernels.bytesToUnit(source.baseAddress! + index * size, into: batch.baseAddress! + offset, count: size)
                offset += size
            }
        }
    }

    /// The labels at `indices`, one-hot encoded: `[indices.count, classCount]`, row-major.
    public func oneHotLabels(indices: some Collection<Int>, classCount: Int) -> [Float] {
        var result = [Float](repeating: 0, count: indices.count * classCount)
        for (row, index) in indices.enumerated() {
            let label = Int(labels[index])
            if label < classCount { result[row * classCount + label] = 1 }
        }
        return result
    }
}
