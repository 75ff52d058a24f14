import Foundation

/// Finds the dataset, trying in order: `--data DIR`, the `FASHION_MNIST_DIR` variable, the
/// user's cache folder, then `/usr/share/datasets/fashion-mnist`. A folder named explicitly
/// (option or variable) must hold the data: it is an error, not a reason to look elsewhere.
public enum DatasetLocator {
    public static let environmentVariable = "FASHION_MNIST_DIR"
    public static let systemFolder = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// `$XDG_CACHE_HOME/fashion/fashion-mnist`, or `~/.cache/fashion/fashion-mnist`.
    public static func cacheFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg)
        } else {
            let home =
                environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
            base = home.appendingPathComponent(".cache")
        }
        return base.appendingPathComponent("fashion").appendingPathComponent("fashion-mnist")
    }

    /// How to get the data, for error messages.
    public static func installHint(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "Get Fashion-MNIST with `fashion data fetch` (downloads into \(cacheFolder(environment: environment).path)), "
            + "or install Debian's package (`sudo apt-get install dataset-fashion-mnist`), "
            + "or point --data or \(environmentVariable) at a folder holding the four IDX files, train/test CSV "
            + "files, or class folders of pictures."
    }

    public static func locate(
        explicit: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(DataError) -> DatasetLocation {
        if let explicit {
            return try require(explicit, origin: .option, environment: environment)
        }
        if let variable = environment[environmentVariable], !variable.isEmpty {
            return try require(URL(fileURLWithPath: variable), origin: .environment, environment: environment)
        }
        let cache = cacheFolder(environment: environment)
        if let layout = layout(in: cache) {
            return DatasetLocation(folder: cache, origin: .cache, layout: layout)
        }
        if let layout = layout(in: systemFolder) {
            return DatasetLocation(folder: systemFolder, origin: .system, layout: layout)
        }
        throw .datasetNotFound(searched: [cache.path, systemFolder.path], hint: installHint(environment: environment))
    }

    private static func require(_ folder: URL, origin: DatasetLocation.Origin, environment: [String: String])
        throws(DataError) -> DatasetLocation
    {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .fileMissing(
                path: folder.path,
                hint: "The folder given by \(origin.rawValue) does not exist. " + installHint(environment: environment))
        }
        if let layout = layout(in: folder) {
            return DatasetLocation(folder: folder, origin: origin, layout: layout)
        }
        let missing = idxCandidates.compactMap { role, names in
            firstExisting(names, in: folder) == nil ? names[0] : nil
        }
        throw .fileMissing(
            path: folder.path,
            hint:
                "The folder given by \(origin.rawValue) lacks \(missing.joined(separator: ", ")) (and holds no "
                + "*train.csv and *test.csv pair, no train.csv manifest, and no class folders of PNG or JPEG "
                + "pictures). "
                + installHint(environment: environment))
    }

    /// Accepted names for each IDX file, the published name first.
    static let idxCandidates: [(CatalogueEntry.File.Role, [String])] = [
        (.trainImages, ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-images.idx3-ubyte"]),
        (.trainLabels, ["train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte", "train-labels.idx1-ubyte"]),
        (
            .testImages,
            [
                "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte",
                "test-images-idx3-ubyte.gz", "test-images-idx3-ubyte",
            ]
        ),
        (
            .testLabels,
            [
                "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte",
                "test-labels-idx1-ubyte.gz", "test-labels-idx1-ubyte",
            ]
        ),
    ]

    /// The dataset files in `folder`, IDX preferred over CSV; nil when either split is missing.
    public static func layout(in folder: URL) -> DatasetLocation.Layout? {
        let found = idxCandidates.map { firstExisting($0.1, in: folder) }
        if let a = found[0], let b = found[1], let c = found[2], let d = found[3] {
            return .idx(trainImages: a, trainLabels: b, testImages: c, testLabels: d)
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        func csv(_ split: String) -> URL? {
            names.first { $0.lowercased().hasSuffix("\(split).csv") || $0.lowercased().hasSuffix("\(split).csv.gz") }
                .map { folder.appendingPathComponent($0) }
        }
        if let train = csv("train"), Manifest.isManifest(train) {
            return .manifest(train: train, test: csv("test").flatMap { Manifest.isManifest($0) ? $0 : nil })
        }
        if let train = csv("train"), let test = csv("test") {
            return .csv(train: train, test: test)
        }
        return ImageFolder.layout(in: folder)
    }

    private static func firstExisting(_ names: [String], in folder: URL) -> URL? {
        names.lazy.map { folder.appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
