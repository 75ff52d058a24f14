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

    /// The files of the two splits, in IDX or CSV form.
    public enum Layout: Sendable, Equatable {
        case idx(trainImages: URL, trainLabels: URL, testImages: URL, testLabels: URL)
        case csv(train: URL, test: URL)

        public var files: [URL] {
            switch self {
            case .idx(let a, let b, let c, let d): return [a, b, c, d]
            case .csv(let a, let b): return [a, b]
            }
        }

        public var formatName: String {
            if case .csv = self { return "csv" }
            return "idx"
        }
    }

    public let folder: URL
    public let origin: Origin
    public let layout: Layout
}
