import FashionData
import Foundation
import NumericCore
import Reports
import Testing
import _TestSupport

/// Image-folder datasets: the layouts, the kinds of pictures, the bad cases, the cache.
@Suite(.timeLimit(.minutes(10))) struct ImageFolderTests {
    /// A picture of `size` whose pixels depend on `seed`, in `kind` (png, png-rgb, jpg, jpg-gray).
    static func picture(_ kind: String, width: Int = 12, height: Int = 12, seed: Int) -> [UInt8] {
        let channels = kind == "png-rgb" || kind == "jpg" ? 3 : 1
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels.append(UInt8((x * 9 + y * 5 + c * 70 + seed * 37) % 256)) }
            }
        }
        switch kind {
        case "png": return PNGEncoder.encode(width: width, height: height, colourType: .grayscale, pixels: pixels)
        case "png-rgb": return PNGEncoder.encode(width: width, height: height, colourType: .rgb, pixels: pixels)
        case "jpg-gray": return TestJPEG.encode(width: width, height: height, channels: 1, pixels: pixels)
        default: return TestJPEG.encode(width: width, height: height, channels: 3, pixels: pixels)
        }
    }

    /// Writes `files` (relative path → bytes) under `root`.
    static func write(_ files: [String: [UInt8]], under root: URL) throws {
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
    }

    static func load(_ root: URL, _ configure: (inout ImageFolder.Options) -> Void = { _ in }) throws -> Dataset {
        var options = ImageFolder.Options()
        configure(&options)
        return try Dataset.load(from: DatasetLocator.locate(explicit: root), folders: options)
    }

    @Test func trainAndTestTreesReadInFileNameOrderWithSortedClasses() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Self.write(
            [
                "train/shoe/02.png": Self.picture("png", seed: 1), "train/bag/01.png": Self.picture("png", seed: 2),
                "train/bag/03.png": Self.picture("png", seed: 3), "train/.hidden/x.png": Self.picture("png", seed: 4),
                "train/bag/notes.txt": Array("not a picture".utf8), "test/shoe/05.png": Self.picture("png", seed: 5),
            ], under: temp.url)
        let dataset = try Self.load(temp.url)
        #expect(dataset.location.layout == .folders(train: temp.file("train"), test: temp.file("test")))
        #expect(dataset.classNames == ["bag", "shoe"])
        #expect(dataset.train.labels == [0, 1, 0])  // 01, 02, 03
        #expect(dataset.train.shape == ImageShape(height: 12, width: 12, channels: 1))
        #expect(dataset.test.labels == [1])
        let decoded = try PNGDecoder.decode(Self.picture("png", seed: 1), path: "p")
        #expect(Array(dataset.train.image(at: 1)) == decoded.pixels)
        #expect(dataset.pictureFit == .letterbox)
        // classes.txt beside the data orders the classes.
        try "shoe\nbag\n".write(to: temp.file("classes.txt"), atomically: true, encoding: .utf8)
        #expect(try Self.load(temp.url).classNames == ["shoe", "bag"])
        #expect(try Self.load(temp.url).train.labels == [1, 0, 1])
    }

    @Test func oneTreeIsSplitSeededAndStratified() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var files = [String: [UInt8]]()
        for i in 0..<20 { files["coat/\(100 + i).png"] = Self.picture("png", seed: i) }
        for i in 0..<10 { files["hat/\(200 + i).png"] = Self.picture("png", seed: 50 + i) }
        try Self.write(files, under: temp.url)
        let a = try Self.load(temp.url) {
            $0.testSplit = 0.2
            $0.seed = 3
        }
        #expect(a.train.count == 24 && a.test.count == 6)
        #expect(a.test.classCounts(classCount: 2) == [4, 2])
        #expect(a.folderReport?.notes.contains { $0.contains("split 24 train / 6 test (seed 3, stratified)") } == true)
        let again = try Self.load(temp.url) {
            $0.testSplit = 0.2
            $0.seed = 3
        }
        #expect(again.test == a.test)
        let other = try Self.load(temp.url) {
            $0.testSplit = 0.2
            $0.seed = 4
        }
        #expect(other.test != a.test)
        // A train/ folder with no test/ beside it is split the same way.
        let parent = temp.file("parent")
        try FileManager.default.createDirectory(
            at: parent.appendingPathComponent("train"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: temp.file("coat"), to: parent.appendingPathComponent("train/coat"))
        try FileManager.default.copyItem(at: temp.file("hat"), to: parent.appendingPathComponent("train/hat"))
        let trainOnly = try Self.load(parent) {
            $0.testSplit = 0.2
            $0.seed = 3
        }
        #expect(trainOnly.location.layout == .folders(train: parent.appendingPathComponent("train"), test: nil))
        #expect(trainOnly.test == a.test && trainOnly.train == a.train)
    }

    @Test func colourAndSizeFollowThePicturesUnlessGiven() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Self.write(
            [
                "train/a/1.png": Self.picture("png", width: 20, height: 10, seed: 1),
                "train/a/2.jpg": Self.picture("jpg", width: 16, height: 16, seed: 2),
                "train/b/3.jpeg": Self.picture("jpg-gray", width: 8, height: 24, seed: 3),
                "train/b/4.PNG": Self.picture("png-rgb", width: 12, height: 12, seed: 4),
                "test/a/5.png": Self.picture("png", seed: 5),
            ], under: temp.url)
        let mixed = try Self.load(temp.url)
        #expect(mixed.train.shape == ImageShape(height: 28, width: 28, channels: 3))
        #expect(mixed.folderReport?.notes.contains { $0.contains("the pictures have 4 sizes") } == true)
        let given = try Self.load(temp.url) {
            $0.imageSize = .init(height: 32, width: 24)
            $0.colour = .grayscale
        }
        #expect(given.train.shape == ImageShape(height: 32, width: 24, channels: 1))
        #expect(given.train.count == 4 && given.test.count == 1)
    }

    @Test func theLetterboxKeepsTheAspectAndFillsWithTheBorderColour() {
        // A 4x2 picture, white at the sides and black in the middle, into 4x4: a row of margin above and below.
        let picture = RasterImage(width: 4, height: 2, channels: 1, pixels: [255, 0, 0, 255, 255, 0, 0, 255])
        let boxed = ImagePreparation.letterbox(picture, rows: 4, columns: 4, channels: 1)
        // The margin is the border mean, corners counted twice: 8 of 12 samples are 255, so 170.
        #expect(boxed == [170, 170, 170, 170] + [255, 0, 0, 255] + [255, 0, 0, 255] + [170, 170, 170, 170])
        // The image's own size is taken as it is; gray becomes RGB by repeating it.
        #expect(ImagePreparation.letterbox(picture, rows: 2, columns: 4, channels: 1) == picture.pixels)
        let rgb = ImagePreparation.letterbox(picture, rows: 2, columns: 4, channels: 3)
        #expect(rgb.count == 24 && rgb[0..<6] == [255, 255, 255, 0, 0, 0])
        // Alpha is composited over white, for grayscale and for colour.
        let rgba = RasterImage(width: 1, height: 1, channels: 4, pixels: [0, 100, 200, 51])
        #expect(ImagePreparation.letterbox(rgba, rows: 1, columns: 1, channels: 3) == [204, 224, 244])
        let grayAlpha = RasterImage(width: 1, height: 1, channels: 2, pixels: [0, 128])
        #expect(ImagePreparation.letterbox(grayAlpha, rows: 1, columns: 1, channels: 1) == [127])
        // Halving averages.
        let half = ImagePreparation.letterbox(
            RasterImage(width: 2, height: 2, channels: 1, pixels: [0, 100, 200, 100]), rows: 1, columns: 1, channels: 1)
        #expect(half == [100])
    }

    @Test func badPicturesAreNamedOrSkippedAndListed() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var hugePNG = Self.picture("png", seed: 9)
        hugePNG.replaceSubrange(16..<24, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])  // 20000 x 20000
        let good = ["train/a/1.png": Self.picture("png", seed: 1), "train/b/2.png": Self.picture("png", seed: 2)]
        let cases: [(String, [UInt8], String)] = [
            ("train/a/cut.png", Array(Self.picture("png", seed: 3).prefix(30)), "cut.png"),
            ("train/a/fake.png", Array("hello, not a picture".utf8), "not a PNG or JPEG picture"),
            (
                "train/a/tiny.png", PNGEncoder.encode(width: 1, height: 1, colourType: .grayscale, pixels: [7]),
                "it is 1x1 pixels; at least 4x4"
            ),
            ("train/a/huge.png", hugePNG, "declares 20000x20000 pixels"),
            ("train/b/bad.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3, 4], "bad.jpg"),
        ]
        for (path, bytes, message) in cases {
            let folder = temp.file(UUID().uuidString)
            try Self.write(good.merging([path: bytes], uniquingKeysWith: { $1 }), under: folder)
            try Self.write(["test/a/9.png": Self.picture("png", seed: 9)], under: folder)
            #expect {
                _ = try Self.load(folder)
            } throws: { "\($0)".contains(folder.appendingPathComponent(path).path) && "\($0)".contains(message) }
            let skipping = try Self.load(folder) { $0.skipBadImages = true }
            #expect(skipping.train.count == 2)
            #expect(skipping.folderReport?.skipped.map(\.path) == [folder.appendingPathComponent(path).path])
        }
        // An empty class folder; a class only in test.
        let empty = temp.file("empty")
        try Self.write(
            good.merging(["test/a/9.png": Self.picture("png", seed: 9)], uniquingKeysWith: { $1 }), under: empty)
        try FileManager.default.createDirectory(
            at: empty.appendingPathComponent("train/c"), withIntermediateDirectories: true)
        #expect { _ = try Self.load(empty) } throws: {
            "\($0)".contains("train/c") && "\($0)".contains("no PNG or JPEG")
        }
        let extra = temp.file("extra")
        try Self.write(
            good.merging(["test/z/9.png": Self.picture("png", seed: 9)], uniquingKeysWith: { $1 }), under: extra)
        #expect { _ = try Self.load(extra) } throws: {
            "\($0)".contains("class 'z' is in test but not among the training classes")
        }
    }

    @Test func theCacheIsUsedUntilAPictureChanges() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let root = temp.file("data")
        try Self.write(
            [
                "train/a/1.png": Self.picture("png", seed: 1), "train/b/2.jpg": Self.picture("jpg", seed: 2),
                "test/a/3.png": Self.picture("png", seed: 3),
            ], under: root)
        let cache = temp.file("cache")
        let first = try Self.load(root) { $0.cacheFolder = cache }
        #expect(first.folderReport?.fromCache == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 1)
        let second = try Self.load(root) { $0.cacheFolder = cache }
        #expect(second.folderReport?.fromCache == true)
        #expect(second.train == first.train && second.test == first.test && second.classNames == first.classNames)
        // A changed picture (new content and time) is read again.
        try Data(Self.picture("png", seed: 7)).write(to: root.appendingPathComponent("train/a/1.png"))
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: 5)],
            ofItemAtPath: root.appendingPathComponent("train/a/1.png").path)
        let third = try Self.load(root) { $0.cacheFolder = cache }
        #expect(third.folderReport?.fromCache == false)
        #expect(third.train != first.train)
        // Other options are another entry.
        let gray = try Self.load(root) {
            $0.cacheFolder = cache
            $0.colour = .grayscale
        }
        #expect(gray.folderReport?.fromCache == false && gray.train.channels == 1)
    }
}
