import FashionData
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct SplitAndBatchTests {
    let images = Fixtures.images(count: 300, rows: 2, columns: 2, classCount: 3)

    @Test func splitIsStratifiedCompleteAndDisjoint() throws {
        let (train, validation) = try images.stratifiedSplit(validationFraction: 0.2, seed: 1)
        #expect(validation.classCounts(classCount: 3) == [20, 20, 20])
        #expect(train.classCounts(classCount: 3) == [80, 80, 80])
        // Every image lands in exactly one part: the fixture's images are all distinct.
        var all = [[UInt8]]()
        for part in [train, validation] { for i in 0..<part.count { all.append(Array(part.image(at: i))) } }
        #expect(Set(all).count == 300)
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let a = try images.stratifiedSplit(validationFraction: 0.1, seed: 7)
        let b = try images.stratifiedSplit(validationFraction: 0.1, seed: 7)
        let c = try images.stratifiedSplit(validationFraction: 0.1, seed: 8)
        #expect(a.validation == b.validation)
        #expect(a.validation != c.validation)
    }

    @Test(arguments: [0.0, 1.0, -0.5, 2.0])
    func fractionOutsideTheOpenIntervalIsRejected(fraction: Double) {
        let error = #expect(throws: DataError.self) {
            try images.stratifiedSplit(validationFraction: fraction, seed: 1)
        }
        #expect(error?.description.hasPrefix("validationFraction: expected a fraction between 0 and 1") == true)
    }

    @Test func splitLeavingAnEmptyPartIsRejected() {
        let two = Fixtures.images(count: 2, classCount: 2)
        #expect(throws: DataError.self) { try two.stratifiedSplit(validationFraction: 0.2, seed: 1) }
    }

    @Test func batchesAreScaledToTheUnitIntervalInIndexOrder() {
        let set = LabeledImages(pixels: [0, 255, 51, 102, 1, 2, 3, 4], labels: [1, 0], rows: 2, columns: 2)
        var batch = [Float](repeating: -1, count: 8)
        batch.withUnsafeMutableBufferPointer { set.fillBatch(indices: [1, 0], into: $0) }
        let expected: [Float] = [1.0 / 255, 2.0 / 255, 3.0 / 255, 4.0 / 255, 0, 1, 0.2, 0.4]
        #expect(batch == expected)
    }

    @Test func oneHotLabels() {
        let set = LabeledImages(pixels: [0, 0, 0], labels: [2, 0, 1], rows: 1, columns: 1)
        #expect(set.oneHotLabels(indices: [0, 2], classCount: 3) == [0, 0, 1, 0, 1, 0])
    }

    @Test func samplesComeFromTheRightClassAndAreSeeded() {
        let picks = images.sampleIndices(perClass: 4, classCount: 3, seed: 5)
        #expect(picks.map(\.count) == [4, 4, 4])
        for (label, indices) in picks.enumerated() {
            #expect(indices.allSatisfy { Int(images.labels[$0]) == label })
        }
        #expect(picks == images.sampleIndices(perClass: 4, classCount: 3, seed: 5))
        #expect(picks != images.sampleIndices(perClass: 4, classCount: 3, seed: 6))
    }
}

@Suite(.timeLimit(.minutes(10))) struct DatasetSummaryTests {
    @Test func statisticsMatchHandComputedValues() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        // Train pixels 0 and 255 in equal numbers: mean 0.5, standard deviation 0.5.
        let train = LabeledImages(pixels: [0, 255, 0, 255, 255, 0, 255, 0], labels: [0, 1], rows: 2, columns: 2)
        let test = LabeledImages(pixels: [51, 51, 51, 51], labels: [1], rows: 2, columns: 2)
        try Fixtures.writeIDXFolder(temp.url, train: train, test: test)
        let dataset = try Dataset.load(from: DatasetLocator.locate(explicit: temp.url, environment: [:]))
        let summary = try DatasetSummary(dataset: dataset)
        #expect(summary.train.count == 2 && summary.test.count == 1)
        #expect(summary.train.classCounts == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(abs(summary.train.pixelMean - 0.5) < 1e-12)
        #expect(abs(summary.train.pixelStandardDeviation - 0.5) < 1e-12)
        #expect(abs(summary.test.pixelMean - 0.2) < 1e-12)
        #expect(summary.test.pixelStandardDeviation == 0)
        #expect(summary.foundBy == "--data")
        #expect(summary.text.contains(" 1  Trouser"))
    }
}
