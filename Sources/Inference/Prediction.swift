import FashionData
import Foundation
import _Files

/// Classifies pictures and image batches with a model, one result per image; an input that
/// cannot be read becomes a failure with its message while the others are still classified.
public struct Prediction: Codable, Sendable {
    /// A class and its probability, as predictions list them.
    public typealias ClassProbability = ClassScore

    /// The top classes (or tags) of one input image.
    public struct Item: Codable, Sendable {
        /// The file, with `#index` for an image of a batch.
        public let input: String
        public let top: [ClassProbability]
        /// A tagging model's tags (those over their thresholds, most probable first); nil for a classifier.
        public var tags: [ClassProbability]? = nil
    }

    /// An input that could not be predicted, and why.
    public struct Failure: Codable, Sendable {
        public let input: String
        public let message: String
    }

    public let predictions: [Item]
    public let failures: [Failure]

    /// Classifies every input file (photos, IDX image files, CSV files) with `classifier`.
    public static func run(classifier: Classifier, inputs: [String], top: Int) -> Prediction {
        let rows = classifier.preprocessing.image.height
        let columns = classifier.preprocessing.image.width
        var names = [String]()
        var pixels = [UInt8]()
        var failures = [Failure]()
        for input in inputs {
            do {
                let images = try load(input, classifier: classifier, rows: rows, columns: columns)
                for (index, image) in images.enumerated() {
                    names.append(images.count == 1 ? input : "\(input)#\(index)")
                    pixels.append(contentsOf: image)
                }
            } catch {
                // The input is named once: an error that starts with its path loses that part.
                failures.append(Failure(input: input, message: DataError.text(of: error, without: input)))
            }
        }
        let probabilities: [Float]
        do { probabilities = try classifier.probabilities(pixels: pixels, count: names.count) } catch {
            return Prediction(
                predictions: [], failures: failures + names.map { Failure(input: $0, message: "\(error)") })
        }
        let tags = classifier.isMultiLabel ? classifier.tags(probabilities) : nil
        let items = zip(names, classifier.topClasses(probabilities, top: top)).enumerated().map { index, pair in
            Item(input: pair.0, top: pair.1, tags: tags?[index])
        }
        return Prediction(predictions: items, failures: failures)
    }

    /// The images of one input file as the classifier takes them: a PNG photo prepared (one
    /// image; JPEG too), or every image of an IDX or CSV batch (which must have the model's size).
    public static func images(in path: String, for classifier: Classifier) throws -> [[UInt8]] {
        try load(
            path, classifier: classifier, rows: classifier.preprocessing.image.height,
            columns: classifier.preprocessing.image.width)
    }

    /// The images of one input file, each `rows * columns` bytes.
    static func load(_ path: String, classifier: Classifier, rows: Int, columns: Int) throws -> [[UInt8]] {
        let url = URL(fileURLWithPath: path)
        if let problem = FileReading.notAFile(atPath: path) {
            throw DataError.unreadable(path: path, reason: problem)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.fileMissing(path: path, hint: "")
        }
        let bytes = [UInt8](data)
        if PhotoDecoder.kind(of: bytes) != nil {
            return [try classifier.prepare(try PhotoDecoder.decode(bytes, path: path))]
        }
        let contents = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
        if contents.count >= 4, contents[0] == 0, contents[1] == 0, contents[2] == 8, contents[3] == 3 {
            let array = try IDX.parse(contents, path: path, expectedDimensions: 3)
            return try batch(
                array.values, count: array.dimensions[0], imageRows: array.dimensions[1],
                imageColumns: array.dimensions[2],
                rows: rows, columns: columns, path: path)
        }
        if path.lowercased().hasSuffix(".csv") || path.lowercased().hasSuffix(".csv.gz") {
            let set = try CSV.read(at: url)
            return try batch(
                set.pixels, count: set.count, imageRows: set.rows, imageColumns: set.columns, rows: rows,
                columns: columns, path: path)
        }
        throw DataError.invalidImage(
            path: path, reason: "expected a PNG or JPEG picture, an IDX image file or a CSV file")
    }

    static func batch(
        _ pixels: [UInt8], count: Int, imageRows: Int, imageColumns: Int, rows: Int, columns: Int, path: String
    ) throws -> [[UInt8]] {
        guard imageRows == rows, imageColumns == columns else {
            throw DataError.dimensionMismatch(
                path: path, reason: "the images are \(imageRows)x\(imageColumns); the model takes \(rows)x\(columns)")
        }
        return (0..<count).map { Array(pixels[($0 * rows * columns)..<(($0 + 1) * rows * columns)]) }
    }
}
