import Foundation

/// A classification dataset with its two published splits, as loaded from disk.
public struct Dataset: Sendable {
    public let name: String
    public let classNames: [String]
    public let train: LabeledImages
    public let test: LabeledImages
    public let location: DatasetLocation
    /// The catalogue entry the data is checked against, or nil for a dataset that came with
    /// its own class-names file.
    public let catalogueEntry: CatalogueEntry?
    /// For an image-folder dataset: what was skipped, notes, whether it came from the cache.
    public var folderReport: ImageFolder.Report? = nil

    public init(
        name: String, classNames: [String], train: LabeledImages, test: LabeledImages, location: DatasetLocation,
        catalogueEntry: CatalogueEntry?
    ) {
        self.name = name
        self.classNames = classNames
        self.train = train
        self.test = test
        self.location = location
        self.catalogueEntry = catalogueEntry
    }

    public var classCount: Int { classNames.count }
    /// Whether each image has any number of the classes (tags), read from manifests.
    public var isMultiLabel: Bool { train.isMultiLabel }
    /// The same dataset with each image's class as its one tag (`--multi-label` on single-label data).
    public func withClassesAsTags() -> Dataset {
        var tagged = Dataset(
            name: name, classNames: classNames, train: train.withClassesAsTags(tagCount: classCount),
            test: test.withClassesAsTags(tagCount: classCount), location: location, catalogueEntry: catalogueEntry)
        tagged.folderReport = folderReport
        return tagged
    }

    /// How photos are made into this dataset's images (for the model file): Fashion-MNIST's
    /// way for IDX and CSV data, the letterbox for folders of pictures.
    public var pictureFit: PictureFit { folderReport.map { $0.fit ?? .letterbox } ?? .fashionMNIST }

    /// Loads the dataset at `location`. Class names come from `classNamesFile`, else from a
    /// `classes.txt` beside the data, else from the catalogue (Fashion-MNIST).
    ///
    /// `folders` says how an image-folder dataset's pictures are prepared (ignored otherwise).
    public static func load(
        from location: DatasetLocation, classNamesFile: URL? = nil, catalogue: CatalogueEntry = .fashionMNIST,
        folders: ImageFolder.Options = ImageFolder.Options()
    ) throws(DataError) -> Dataset {
        let besideData = location.folder.appendingPathComponent(ClassNames.fileName)
        let namesFile = classNamesFile ?? (FileManager.default.fileExists(atPath: besideData.path) ? besideData : nil)
        let givenNames = try namesFile.map { (url) throws(DataError) in try ClassNames.read(at: url) }
        // Pictures: class folders, or manifests of tagged pictures.
        let pictures: (loaded: ImageFolder.Loaded, trainPath: String)?
        switch location.layout {
        case .folders(let train, let test):
            pictures = (
                try ImageFolder.read(train: train, test: test, classNames: givenNames, options: folders), train.path
            )
        case .manifest(let train, let test):
            pictures = (
                try ImageFolder.read(manifest: train, test: test, tagNames: givenNames, options: folders), train.path
            )
        case .idx, .csv:
            pictures = nil
        }
        if let (loaded, trainPath) = pictures {
            guard loaded.train.count > 0 else {
                throw .invalidImage(path: trainPath, reason: "no usable picture for training")
            }
            var dataset = Dataset(
                name: location.folder.lastPathComponent, classNames: loaded.classNames, train: loaded.train,
                test: loaded.test, location: location, catalogueEntry: nil)
            dataset.folderReport = loaded.report
            dataset.folderReport?.fit = folders.fit == .fashionMNIST && loaded.train.channels == 1 ? .fashionMNIST : nil
            return dataset
        }
        let classNames = givenNames ?? catalogue.classNames

        let train: LabeledImages
        let test: LabeledImages
        let trainPath: String
        let testPath: String
        switch location.layout {
        case .idx(let trainImages, let trainLabels, let testImages, let testLabels):
            // The two splits decode on both cores at once.
            let results = parallelPair(
                { () throws(DataError) in try IDX.read(images: trainImages, labels: trainLabels) },
                { () throws(DataError) in try IDX.read(images: testImages, labels: testLabels) })
            train = try results.0.get()
            test = try results.1.get()
            trainPath = trainLabels.path
            testPath = testLabels.path
        case .csv(let trainFile, let testFile):
            train = try CSV.read(at: trainFile)
            test = try CSV.read(at: testFile)
            trainPath = trainFile.path
            testPath = testFile.path
        case .folders, .manifest:
            preconditionFailure("folders and manifests are read above")
        }
        guard train.rows == test.rows, train.columns == test.columns else {
            throw .dimensionMismatch(
                path: location.folder.path,
                reason:
                    "training images are \(train.rows)x\(train.columns) but test images are "
                    + "\(test.rows)x\(test.columns)"
            )
        }
        try train.validateLabels(classCount: classNames.count, path: trainPath)
        try test.validateLabels(classCount: classNames.count, path: testPath)
        let name = namesFile == nil ? catalogue.name : location.folder.lastPathComponent
        return Dataset(
            name: name, classNames: classNames, train: train, test: test, location: location,
            catalogueEntry: namesFile == nil ? catalogue : nil)
    }
}

/// Runs two throwing closures on two threads and returns both results.
func parallelPair<A: Sendable, B: Sendable>(
    _ first: @Sendable () throws(DataError) -> A, _ second: @Sendable () throws(DataError) -> B
) -> (Result<A, DataError>, Result<B, DataError>) {
    nonisolated(unsafe) var a: Result<A, DataError>?
    nonisolated(unsafe) var b: Result<B, DataError>?
    DispatchQueue.concurrentPerform(iterations: 2) { index in
        if index == 0 {
            a = Result { () throws(DataError) in try first() }
        } else {
            b = Result { () throws(DataError) in try second() }
        }
    }
    return (a!, b!)
}
