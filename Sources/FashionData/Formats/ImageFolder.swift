import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Image-folder datasets, as Keras (`image_dataset_from_directory`) and torchvision
/// (`ImageFolder`) read them: `DIR/<class>/*.png|jpg|jpeg`, the classes the sorted folder
/// names (hidden entries skipped), or the order of `classes.txt` beside the data when it is
/// there. Either `DIR/train/<class>/` and `DIR/test/<class>/`, or one tree that
/// `Options.testSplit` splits, seeded and stratified.
///
/// Every picture goes through `ImagePreparation.letterbox` to the options' size and colour.
/// Images are ordered by file name, then class (so a folder written by `DatasetExport` reads
/// back in its original order).
public enum ImageFolder {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// How a folder's pictures are read: their size and colour, the test split, bad pictures, the cache.
    public struct Options: Sendable, Equatable {
        /// nil: the data's own size if every picture has it, else 28x28.
        public var imageSize: ImageSize?
        /// nil: RGB if any picture is in colour, else grayscale.
        public var colour: Colour?
        /// The test share of a single tree (seeded, stratified); ignored with train/ and test/.
        public var testSplit = 0.2
        public var seed: UInt64 = 0
        /// Skip pictures that cannot be used, listing them, rather than fail.
        public var skipBadImages = false
        /// Where decoded folders are kept (nil: not kept).
        public var cacheFolder: URL?
        /// The largest picture taken, in pixels (as its header declares).
        public var maxPixels = 1 << 26
        /// How each picture is made the dataset's image: the letterbox (the default), or
        /// Fashion-MNIST's own way (grayscale only), for judging or fine-tuning a model of it.
        public var fit: PictureFit = .letterbox

        public init() {}
    }

    /// The height and width every picture of a folder dataset is prepared to.
    public struct ImageSize: Sendable, Equatable, Codable, CustomStringConvertible {
        public let height: Int
        public let width: Int

        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }

        /// "H" or "HxW".
        public init?(parsing text: String) {
            let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let h = Int(parts[0]), let w = Int(parts.last!),
                (1...4096).contains(h), (1...4096).contains(w)
            else { return nil }
            self.init(height: h, width: w)
        }

        public var description: String { "\(height)x\(width)" }
    }

    /// The colour a folder dataset's pictures are converted to.
    public enum Colour: String, Sendable, Equatable, Codable, CaseIterable {
        case grayscale
        case rgb

        public var channels: Int { self == .rgb ? 3 : 1 }
    }

    /// A picture left out, and why.
    public struct Skipped: Sendable, Equatable, Codable {
        public let path: String
        public let reason: String
    }

    /// What reading a folder dataset found besides its images.
    public struct Report: Sendable, Equatable, Codable {
        public var skipped: [Skipped] = []
        /// Things a user should know (mixed sizes, the split made).
        public var notes: [String] = []
        public var fromCache = false
        /// How the pictures were made images (nil: the letterbox).
        public var fit: PictureFit?
    }

    /// The class folders of `folder` (sorted, hidden entries skipped), or nil if none holds a picture.
    static func classFolders(in folder: URL) -> [String]? {
        let classes = entries(of: folder.path).filter { !$0.name.hasPrefix(".") && $0.isFolder }.map(\.name).sorted()
        let anyPicture = classes.contains { name in
            entries(of: folder.appendingPathComponent(name).path, stopAtFirstPicture: true).contains {
                isPicture($0.name)
            }
        }
        return anyPicture ? classes : nil
    }

    /// The picture files of one class folder (by extension, hidden files skipped), sorted.
    static func pictures(in folder: URL) -> [String] {
        entries(of: folder.path).map(\.name).filter(isPicture).sorted()
    }

    static func isPicture(_ name: String) -> Bool {
        guard !name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// A folder's entries with readdir (Foundation's listing is several times slower on
    /// 70,000 files); `stopAtFirstPicture` ends the walk at the first picture.
    static func entries(of path: String, stopAtFirstPicture: Bool = false) -> [(name: String, isFolder: Bool)] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var result = [(name: String, isFolder: Bool)]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                var info = stat()
                isFolder = stat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            result.append((name, isFolder))
            if stopAtFirstPicture, !isFolder, isPicture(name) { break }
        }
        return result
    }

    /// The layout of `folder` if it is an image-folder dataset.
    public static func layout(in folder: URL) -> DatasetLocation.Layout? {
        let train = folder.appendingPathComponent("train")
        let test = folder.appendingPathComponent("test")
        if classFolders(in: train) != nil {
            // train/ alone is one tree to split, as a folder of class folders is.
            return .folders(train: train, test: classFolders(in: test) != nil ? test : nil)
        }
        if let classes = classFolders(in: folder), !classes.contains("train") {
            return .folders(train: folder, test: nil)
        }
        return nil
    }
}
