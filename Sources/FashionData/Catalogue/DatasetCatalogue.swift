import Foundation

/// What the tool knows about a published dataset: its files, their checksums, where to
/// download them and the names of its classes. Nothing else in the readers is specific to
/// one dataset; another MNIST-style dataset loads from a folder with a class-names file.
public struct CatalogueEntry: Sendable, Equatable {
    /// One published file of a dataset, with the checksums it is checked against.
    public struct File: Sendable, Equatable {
        /// Which of the four IDX files a file is.
        public enum Role: String, Sendable, CaseIterable {
            case trainImages = "train images"
            case trainLabels = "train labels"
            case testImages = "test images"
            case testLabels = "test labels"
        }
        public let role: Role
        /// The file name as published, gzip-compressed.
        public let name: String
        /// MD5 of the published `.gz` file.
        public let archiveMD5: String
        /// MD5 of the decompressed content. Repackagers (Debian among them) recompress the
        /// files, which changes the archive's checksum but not the content's.
        public let contentMD5: String
        /// The published `.gz` file's size, when known: a download may be at most about twice it.
        public let archiveBytes: Int?

        public init(role: Role, name: String, archiveMD5: String, contentMD5: String, archiveBytes: Int? = nil) {
            self.role = role
            self.name = name
            self.archiveMD5 = archiveMD5
            self.contentMD5 = contentMD5
            self.archiveBytes = archiveBytes
        }

        /// The most bytes a download of the file may bring (twice the published size and a
        /// mebibyte, for a mirror that recompresses; 256 MiB for a file of unknown size).
        public var downloadLimit: Int { archiveBytes.map { $0 * 2 + (1 << 20) } ?? 256 << 20 }
    }

    public let name: String
    public let classNames: [String]
    public let files: [File]
    public let downloadURL: URL

    public init(name: String, classNames: [String], files: [File], downloadURL: URL) {
        self.name = name
        self.classNames = classNames
        self.files = files
        self.downloadURL = downloadURL
    }

    public func file(_ role: File.Role) -> File? { files.first { $0.role == role } }
}

extension CatalogueEntry {
    /// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test
    /// images of 28x28 pixels, 10 classes. Checksums as published by Zalando Research.
    public static let fashionMNIST = CatalogueEntry(
        name: "fashion-mnist",
        classNames: [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ],
        files: [
            File(
                role: .trainImages, name: "train-images-idx3-ubyte.gz",
                archiveMD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d", contentMD5: "f4a8712d7a061bf5bd6d2ca38dc4d50a",
                archiveBytes: 26_421_880),
            File(
                role: .trainLabels, name: "train-labels-idx1-ubyte.gz",
                archiveMD5: "25c81989df183df01b3e8a0aad5dffbe", contentMD5: "9018921c3c673c538a1fc5bad174d6f9",
                archiveBytes: 29515),
            File(
                role: .testImages, name: "t10k-images-idx3-ubyte.gz",
                archiveMD5: "bef4ecab320f06d8554ea6380940ec79", contentMD5: "8181f5470baa50b63fa0f6fddb340f0a",
                archiveBytes: 4_422_102),
            File(
                role: .testLabels, name: "t10k-labels-idx1-ubyte.gz",
                archiveMD5: "bb300cfdad3c16e7a12a480ee83cd310", contentMD5: "15d484375f8d13e6eb1aabb0c3f46965",
                archiveBytes: 5148),
        ],
        downloadURL: URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!)
}
