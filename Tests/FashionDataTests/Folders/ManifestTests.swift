import FashionData
import Foundation
import NumericCore
import Reports
import Testing
import _TestSupport

/// Multi-label manifests: the format, the dataset they make, and every bad case named.
@Suite(.timeLimit(.minutes(10))) struct ManifestTests {
    static func picture(seed: Int) -> [UInt8] { ImageFolderTests.picture("png", seed: seed) }

    /// A manifest dataset: pictures a.png ... plus the given manifests (and classes.txt if given).
    static func folder(train: String, test: String? = nil, classes: String? = nil, pictures: Int = 4) throws
        -> TemporaryFolder
    {
        let temp = try TemporaryFolder()
        var files = [String: [UInt8]]()
        for i in 0..<pictures { files["images/\(i).png"] = picture(seed: i) }
        files["train.csv"] = Array(train.utf8)
        if let test { files["test.csv"] = Array(test.utf8) }
        if let classes { files["classes.txt"] = Array(classes.utf8) }
        try ImageFolderTests.write(files, under: temp.url)
        return temp
    }

    static func error(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func rowsQuotesAndTagsParse() throws {
        let rows = try Manifest.parse(
            "\u{FEFF}file,tags\r\na.png,Shirt|Trouser\r\n\"b, c.png\",\"Bag\"\n\n\"say \"\"hi\"\".png\", Coat | Bag \n",
            path: "m.csv")
        #expect(rows.map(\.file) == ["a.png", "b, c.png", "say \"hi\".png"])
        #expect(rows.map(\.tags) == [["Shirt", "Trouser"], ["Bag"], ["Coat", "Bag"]])
        #expect(rows.map(\.line) == [2, 3, 5])
        #expect(Manifest.field("b, c.png") == "\"b, c.png\"")
        #expect(Manifest.field("plain") == "plain")
    }

    @Test func badManifestsAreNamedByLine() {
        let cases: [(String, String)] = [
            ("", "m.csv, line 1: the file is empty"),
            ("name,labels\na.png,x\n", "m.csv, line 1: expected the header 'file,tags', found 'name,labels'"),
            ("file,tags\na.png\n", "m.csv, line 2: expected 2 fields (file and tags), found 1"),
            ("file,tags\na.png,x,y\n", "m.csv, line 2: expected 2 fields (file and tags), found 3"),
            ("file,tags\na.png,\n", "m.csv, line 2: 'a.png' has no tags"),
            ("file,tags\na.png,x||y\n", "m.csv, line 2: 'x||y' holds an empty tag"),
            ("file,tags\na.png,x|x\n", "m.csv, line 2: the tag 'x' is given twice"),
            ("file,tags\na.png,x\nb.png,y\na.png,y\n", "m.csv, line 4: 'a.png' is listed again (first on line 2)"),
            ("file,tags\n\"a.png,x\n", "m.csv, line 2: a quoted field is not closed"),
            ("file,tags\n", "m.csv, line 2: no images listed after the header"),
            ("file,tags\n ,x\n", "m.csv, line 2: the file name is empty"),
        ]
        for (text, expected) in cases {
            let message = Self.error { _ = try Manifest.parse(text, path: "m.csv") }
            #expect(message.hasPrefix(expected), "\(text.debugDescription) gave: \(message)")
        }
    }

    @Test func aManifestDatasetLoadsItsTagsMultiHot() throws {
        let temp = try Self.folder(
            train: "file,tags\nimages/0.png,shirt|bag\nimages/1.png,bag\nimages/2.png,shoe|shirt\n",
            test: "file,tags\nimages/3.png,shoe\n")
        defer { temp.remove() }
        let dataset = try ImageFolderTests.load(temp.url)
        #expect(dataset.location.layout == .manifest(train: temp.file("train.csv"), test: temp.file("test.csv")))
        #expect(dataset.isMultiLabel)
        #expect(dataset.classNames == ["bag", "shirt", "shoe"])  // sorted, without classes.txt
        #expect(dataset.train.tags == [1, 1, 0, 1, 0, 0, 0, 1, 1])
        #expect(dataset.train.labels == [0, 0, 1])  // each image's first tag
        #expect(dataset.test.tags == [0, 0, 1])
        let decoded = try PNGDecoder.decode(Self.picture(seed: 2), path: "p")
        #expect(Array(dataset.train.image(at: 2)) == decoded.pixels)
        #expect(dataset.train.classCounts(classCount: 3) == [2, 2, 1])
        // Subsets keep the tags of their images.
        #expect(dataset.train.subset([2, 0]).tags == [0, 1, 1, 1, 1, 0])
    }

    @Test func classesFixTheTagsAndTheirOrder() throws {
        let temp = try Self.folder(
            train: "file,tags\nimages/0.png,shirt\nimages/1.png,bag\n", test: "file,tags\nimages/2.png,bag\n",
            classes: "shoe\nshirt\nbag\n")
        defer { temp.remove() }
        let dataset = try ImageFolderTests.load(temp.url)
        #expect(dataset.classNames == ["shoe", "shirt", "bag"])
        #expect(dataset.train.tags == [0, 1, 0, 0, 0, 1])
    }

    @Test func unknownTagsAndMissingFilesAreRefusedWithTheirLine() throws {
        let unknown = try Self.folder(
            train: "file,tags\nimages/0.png,shirt\nimages/1.png,hat\n", classes: "shirt\nbag\n")
        defer { unknown.remove() }
        let message = Self.error { _ = try ImageFolderTests.load(unknown.url) }
        #expect(message.contains("train.csv, line 3: unknown tag 'hat'"), "\(message)")
        #expect(message.contains("shirt, bag"), "\(message)")

        let testOnly = try Self.folder(
            train: "file,tags\nimages/0.png,shirt\nimages/1.png,bag\n", test: "file,tags\nimages/2.png,coat\n")
        defer { testOnly.remove() }
        let testMessage = Self.error { _ = try ImageFolderTests.load(testOnly.url) }
        #expect(testMessage.contains("test.csv, line 2: unknown tag 'coat'"), "\(testMessage)")
        #expect(testMessage.contains("the training manifest's tags"), "\(testMessage)")

        let missing = try Self.folder(train: "file,tags\nimages/0.png,shirt\nimages/9.png,bag\n")
        defer { missing.remove() }
        let missingMessage = Self.error { _ = try ImageFolderTests.load(missing.url) }
        #expect(missingMessage.contains("train.csv, line 3: 'images/9.png' is not a file"), "\(missingMessage)")
        // Skipping bad images lists it instead.
        let skipped = try ImageFolderTests.load(missing.url) { $0.skipBadImages = true }
        #expect(skipped.train.count + skipped.test.count == 1)
        #expect(skipped.folderReport?.skipped.first?.path.hasSuffix("images/9.png") == true)
    }

    @Test func aTrainManifestAloneIsSplitAndTheCacheKeepsTheTags() throws {
        let rows = (0..<12).map { "images/\($0).png,\(["a", "b", "c"][$0 % 3])|d" }
        let temp = try Self.folder(train: "file,tags\n" + rows.joined(separator: "\n") + "\n", pictures: 12)
        defer { temp.remove() }
        let cache = temp.file("cache")
        let first = try ImageFolderTests.load(temp.url) {
            $0.testSplit = 0.25
            $0.seed = 3
            $0.cacheFolder = cache
        }
        #expect(first.train.count == 9 && first.test.count == 3)
        let testTags = try #require(first.test.tags)
        #expect(stride(from: 3, to: testTags.count, by: 4).allSatisfy { testTags[$0] == 1 })  // every image has d
        let again = try ImageFolderTests.load(temp.url) {
            $0.testSplit = 0.25
            $0.seed = 3
            $0.cacheFolder = cache
        }
        #expect(again.folderReport?.fromCache == true)
        #expect(again.train == first.train && again.test == first.test)
        #expect(again.train.tags != nil)
    }
}
