import FashionData
import Foundation
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct IDXTests {
    @Test(arguments: [true, false])
    func readsCompressedAndRawFolders(compressed: Bool) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let train = Fixtures.images(count: 12, rows: 3, columns: 5)
        let test = Fixtures.images(count: 6, rows: 3, columns: 5)
        try Fixtures.writeIDXFolder(temp.url, train: train, test: test, compressed: compressed)
        let location = try DatasetLocator.locate(explicit: temp.url, environment: [:])
        let dataset = try Dataset.load(from: location)
        #expect(dataset.train == train)
        #expect(dataset.test == test)
        #expect(Array(dataset.train.image(at: 2).prefix(3)) == [2, 0, 20])
    }

    @Test func wrongMagicNumberNamesExpectedAndFound() {
        var bytes = IDX.encode(dimensions: [2], values: [0, 1])
        bytes[2] = 0x0D  // float type
        let error = #expect(throws: DataError.self) { try IDX.parse(bytes, path: "labels.idx", expectedDimensions: 1) }
        #expect(
            error?.description == "labels.idx: wrong magic number: expected 0x00000801 (idx1 labels), found 0x00000d01")
    }

    @Test func imagesFileGivenAsLabelsIsRejected() {
        let bytes = IDX.encode(dimensions: [1, 2, 2], values: [0, 0, 0, 0])
        #expect(throws: DataError.badMagic(path: "l", expected: "0x00000801 (idx1 labels)", found: "0x00000803")) {
            try IDX.parse(bytes, path: "l", expectedDimensions: 1)
        }
    }

    @Test func truncatedPayloadIsReported() {
        let bytes = Array(IDX.encode(dimensions: [3, 2, 2], values: Array(repeating: 1, count: 12)).dropLast(5))
        #expect(throws: DataError.truncated(path: "i", expectedBytes: 28, foundBytes: 23)) {
            try IDX.parse(bytes, path: "i", expectedDimensions: 3)
        }
    }

    @Test func truncatedHeaderIsReported() {
        #expect(throws: DataError.truncated(path: "i", expectedBytes: 16, foundBytes: 9)) {
            try IDX.parse([0, 0, 8, 3, 0, 0, 0, 1, 0], path: "i", expectedDimensions: 3)
        }
    }

    @Test func dimensionsThatDoNotMatchTheLengthAreReported() {
        let bytes = IDX.encode(dimensions: [2, 2, 2], values: Array(repeating: 1, count: 10))
        let error = #expect(throws: DataError.self) { try IDX.parse(bytes, path: "i", expectedDimensions: 3) }
        #expect(error?.description == "i: dimensions 2x2x2 need 24 bytes but the file holds 26 (2 bytes too many)")
    }

    @Test func absurdDimensionsAreRejectedNotWrapped() {
        // 2^21 x 2^21 x 2^21 overflows 64 bits.
        let huge = 1 << 21
        let bytes = IDX.encode(dimensions: [huge, huge, huge], values: [])
        let error = #expect(throws: DataError.self) { try IDX.parse(bytes, path: "i", expectedDimensions: 3) }
        #expect(error?.description.contains("too large to be real") == true)
    }

    @Test func imageAndLabelCountsMustMatch() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let images = temp.file("images")
        let labels = temp.file("labels")
        try Data(IDX.encode(dimensions: [3, 2, 2], values: Array(repeating: 0, count: 12))).write(to: images)
        try Data(IDX.encode(dimensions: [2], values: [0, 1])).write(to: labels)
        #expect(throws: DataError.countMismatch(images: images.path, imageCount: 3, labels: labels.path, labelCount: 2))
        {
            try IDX.read(images: images, labels: labels)
        }
    }

    @Test func corruptGzipFileNamesTheFile() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let file = temp.file("labels.gz")
        try Data(
            Array(Fixtures.gzip(IDX.encode(dimensions: [100], values: Array(repeating: 3, count: 100))).prefix(15))
        ).write(to: file)
        let error = #expect(throws: DataError.self) { try IDX.readLabels(at: file) }
        #expect(error?.description.hasPrefix(file.path + ": corrupt or truncated gzip data") == true)
    }

    @Test func labelsOutsideTheClassesAreRejected() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let bad = LabeledImages(pixels: Array(repeating: 0, count: 8), labels: [0, 11], rows: 2, columns: 2)
        try Fixtures.writeIDXFolder(temp.url, train: bad, test: bad)
        let location = try DatasetLocator.locate(explicit: temp.url, environment: [:])
        let error = #expect(throws: DataError.self) { try Dataset.load(from: location) }
        #expect(error?.description.contains("label 11 at item 1 is outside 0...9 (10 classes)") == true)
    }
}
