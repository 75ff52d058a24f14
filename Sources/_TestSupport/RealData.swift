import Foundation

/// The real Fashion-MNIST files, for integration tests. `make test` installs Debian's
/// dataset-fashion-mnist; `FASHION_MNIST_DIR` points elsewhere.
public enum RealData {
    public static var folder: URL {
        if let dir = ProcessInfo.processInfo.environment["FASHION_MNIST_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    }

    public static let missingMessage =
        "The real Fashion-MNIST data is missing: run `make test` (it installs Debian's dataset-fashion-mnist) or set "
        + "FASHION_MNIST_DIR."

    public static var isPresent: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("train-images-idx3-ubyte.gz").path)
            || FileManager.default.fileExists(atPath: folder.appendingPathComponent("train-images-idx3-ubyte").path)
    }
}
