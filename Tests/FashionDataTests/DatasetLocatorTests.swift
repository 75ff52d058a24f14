import FashionData
import Foundation
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct DatasetLocatorTests {
    let train = Fixtures.images(count: 6)
    let test = Fixtures.images(count: 3)

    @Test func explicitFolderWinsOverTheVariable() throws {
        let a = try TemporaryFolder()
        let b = try TemporaryFolder()
        defer {
            a.remove()
            b.remove()
        }
        try Fixtures.writeIDXFolder(a.url, train: train, test: test)
        try Fixtures.writeIDXFolder(b.url, train: train, test: test)
        let location = try DatasetLocator.locate(explicit: a.url, environment: ["FASHION_MNIST_DIR": b.url.path])
        #expect(location.folder.path == a.url.path)
        #expect(location.origin == .option)
    }

    @Test func variableWinsOverTheCache() throws {
        let data = try TemporaryFolder()
        let cacheHome = try TemporaryFolder()
        defer {
            data.remove()
            cacheHome.remove()
        }
        try Fixtures.writeIDXFolder(data.url, train: train, test: test)
        let environment = ["FASHION_MNIST_DIR": data.url.path, "XDG_CACHE_HOME": cacheHome.url.path]
        try Fixtures.writeIDXFolder(DatasetLocator.cacheFolder(environment: environment), train: train, test: test)
        let location = try DatasetLocator.locate(environment: environment)
        #expect(location.origin == .environment)
    }

    @Test func cacheIsUsedWhenNothingIsNamed() throws {
        let cacheHome = try TemporaryFolder()
        defer { cacheHome.remove() }
        let environment = ["XDG_CACHE_HOME": cacheHome.url.path]
        let cache = DatasetLocator.cacheFolder(environment: environment)
        #expect(cache.path == cacheHome.url.path + "/fashion/fashion-mnist")
        try Fixtures.writeIDXFolder(cache, train: train, test: test)
        let location = try DatasetLocator.locate(environment: environment)
        #expect(location.origin == .cache)
        #expect(location.folder.path == cache.path)
    }

    @Test func cacheFolderFallsBackToHome() {
        #expect(
            DatasetLocator.cacheFolder(environment: ["HOME": "/home/ann"]).path
                == "/home/ann/.cache/fashion/fashion-mnist")
    }

    @Test func namedFolderWithoutDataIsAnErrorListingTheMissingFiles() throws {
        let empty = try TemporaryFolder()
        defer { empty.remove() }
        try Data([1]).write(to: empty.file("train-images-idx3-ubyte.gz"))
        let error = #expect(throws: DataError.self) { try DatasetLocator.locate(explicit: empty.url, environment: [:]) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix(empty.url.path + ": file not found."))
        #expect(
            message.contains("lacks train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"))
        #expect(!message.contains("lacks train-images"))
        #expect(message.contains("fashion data fetch"))
        #expect(message.contains("apt-get install dataset-fashion-mnist"))
    }

    @Test func missingFolderNamedByTheVariableIsAnError() {
        let error = #expect(throws: DataError.self) {
            try DatasetLocator.locate(environment: ["FASHION_MNIST_DIR": "/nonexistent/fmnist"])
        }
        #expect(
            error?.description.hasPrefix(
                "/nonexistent/fmnist: file not found. The folder given by FASHION_MNIST_DIR does not exist.") == true)
    }
}

@Suite(.timeLimit(.minutes(10))) struct ClassNamesTests {
    @Test func readsNamesSkippingBlanksAndComments() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try "# digits\nzero\n\n one \ntwo\n".write(to: temp.file("c.txt"), atomically: true, encoding: .utf8)
        #expect(try ClassNames.read(at: temp.file("c.txt")) == ["zero", "one", "two"])
    }

    @Test func duplicateNamesAreRejected() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try "cat\ndog\ncat\n".write(to: temp.file("c.txt"), atomically: true, encoding: .utf8)
        let error = #expect(throws: DataError.self) { try ClassNames.read(at: temp.file("c.txt")) }
        #expect(error?.description == "\(temp.file("c.txt").path): the class name 'cat' appears twice")
    }

    @Test func tooFewClassesAndMissingFileAreRejected() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try "only\n".write(to: temp.file("c.txt"), atomically: true, encoding: .utf8)
        #expect(throws: DataError.self) { try ClassNames.read(at: temp.file("c.txt")) }
        #expect(throws: DataError.self) { try ClassNames.read(at: temp.file("missing.txt")) }
    }
}
