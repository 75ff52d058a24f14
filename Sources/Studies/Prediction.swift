import FashionData
import Foundation
import NeuralNet

/// Classifies pictures and image batches with a model, one result per image; an input that
/// cannot be read becomes a failure with its message while the others are still classified.
public struct Prediction: Codable, Sendable {
    public struct ClassProbability: Codable, Sendable {
        public let className: String
        public let classIndex: Int
        public let probability: Double
    }

    public struct Item: Codable, Sendable {
        /// The file, with `#index` for an image of a batch.
        public let input: String
        public let top: [ClassProbability]
    }

    public struct Failure: Codable, Sendable {
        public let input: String
        public let message: String
    }

    public let predictions: [Item]
    public let failures: [Failure]

    public static func run(model: Sequential, classNames: [String], rows: Int, columns: Int, inputs: [String], top: Int, flipAveraging: Bool = false) -> Prediction {
        var names = [String](), pixels = [UInt8](), failures = [Failure]()
        for input in inputs {
            do {
                let images = try load(input, rows: rows, columns: columns)
                for (index, image) in images.enumerated() {
                    names.append(images.count == 1 ? input : "\(input)#\(index)")
                    pixels.append(contentsOf: image)
                }
            } catch {
                failures.append(Failure(input: input, message: "\(error)"))
            }
        }
        let set = LabeledImages(pixels: pixels, labels: [UInt8](repeating: 0, count: names.count), rows: rows, columns: columns)
        let probabilities = names.isEmpty ? [] : Trainer.predict(model, on: set, flipAveraging: flipAveraging)
        let classes = classNames.count
        let items = names.enumerated().map { row, name in
            let p = (0..<classes).map { Double(probabilities[row * classes + $0]) }
            let order = p.indices.sorted { p[$0] > p[$1] }.prefix(top)
            return Item(input: name, top: order.map { ClassProbability(className: classNames[$0], classIndex: $0, probability: p[$0]) })
        }
        return Prediction(predictions: items, failures: failures)
    }

    /// The images of one input file, each `rows * columns` bytes.
    static func load(_ path: String, rows: Int, columns: Int) throws -> [[UInt8]] {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError.fileMissing(path: path, hint: "") }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return [ImagePreparation.prepare(try PNGDecoder.decode(bytes, path: path), rows: rows, columns: columns)]
        }
        let contents = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
        if contents.count >= 4, contents[0] == 0, contents[1] == 0, contents[2] == 8, contents[3] == 3 {
            let array = try IDX.parse(contents, path: path, expectedDimensions: 3)
            return try batch(array.values, count: array.dimensions[0], imageRows: array.dimensions[1], imageColumns: array.dimensions[2],
                             rows: rows, columns: columns, path: path)
        }
        if path.lowercased().hasSuffix(".csv") || path.lowercased().hasSuffix(".csv.gz") {
            let set = try CSV.read(at: url)
            return try batch(set.pixels, count: set.count, imageRows: set.rows, imageColumns: set.columns, rows: rows, columns: columns, path: path)
        }
        throw DataError.invalidImage(path: path, reason: "expected a PNG picture, an IDX image file or a CSV file")
    }

    static func batch(_ pixels: [UInt8], count: Int, imageRows: Int, imageColumns: Int, rows: Int, columns: Int, path: String) throws -> [[UInt8]] {
        guard imageRows == rows, imageColumns == columns else {
            throw DataError.dimensionMismatch(path: path, reason: "the images are \(imageRows)x\(imageColumns); the model takes \(rows)x\(columns)")
        }
        return (0..<count).map { Array(pixels[($0 * rows * columns)..<(($0 + 1) * rows * columns)]) }
    }
}
