import Foundation

/// Where a dataset's files are and how they were found.
public struct DatasetLocation: Sendable, Equatable {
    /// How the folder was chosen, in the order the locator tries them.
    public enum Origin: String, Sendable, Codable {
        case option = "--data"
        case environment = "FASHION_MNIST_DIR"
        case cache = "user cache"
        case system = "system (Debian's dataset-fashion-mnist)"
    }

    /// The files of the two splits, in IDX or CSV form, folders of pictures (`ImageFolder`:
    /// `train/` and `test/` class trees, or one tree to split), or manifests of tagged pictures.
    public enum Layout: Sendable, Equatable {
        case idx(trainImages: URL, trainLabels: URL, testImages: URL, testLabels: URL)
        case csv(train: URL, test: URL)
        case folders(train: URL, test: URL?)
        /// Multi-label: `Manifest` files (`file,tags`) naming pictures beside them.
        case manifest(train: URL, test: URL?)

        /// The files (for folders, the split folders).
        public var files: [URL] {
            switch self {
            case .idx(let a, let b, let c, let d): return [a, b, c, d]
            case .csv(let a, let b): return [a, b]
            case .folders(let train, let test), .manifest(let train, let test):
                return [train] + (test.map { [$0] } ?? [])
            }
        }

        public var formatName: String {
            switch self {
            case .idx: return "idx"
            case .csv: return "csv"
            case .folders: return "folders"
            case .manifest: return "manifest"
            }
        }
    }

    public let folder: URL
    public let origin: Origin
    public let layout: Layout
}
