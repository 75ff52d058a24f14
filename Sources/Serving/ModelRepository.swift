import FashionData
import Foundation
import Inference
import NeuralNet

/// The models a server answers for, each under a name and a version; the newest version of a
/// name (its file's modification time; the later one given on a tie) answers requests that
/// name no version.
public struct ModelRepository: Sendable {
    /// How a model is given on the command line: `FILE`, `NAME=FILE` or `NAME:VERSION=FILE`.
    public struct Entry: Equatable, Sendable {
        public let name: String
        /// nil: the first 12 hex digits of the file's MD5 (as `fashion export` writes it).
        public let version: String?
        public let path: String

        public init(name: String, version: String? = nil, path: String) {
            self.name = name
            self.version = version
            self.path = path
        }

        /// Reads `FILE`, `NAME=FILE` or `NAME:VERSION=FILE`; a bare file is named after its
        /// file name without extensions.
        public init(parsing text: String) throws(ServingError) {
            guard let equals = text.firstIndex(of: "=") else {
                let file = URL(fileURLWithPath: text).lastPathComponent
                let stem = file.split(separator: ".").first.map(String.init) ?? file
                self.init(name: stem, path: text)
                try check()
                return
            }
            let label = text[..<equals]
            let path = String(text[text.index(after: equals)...])
            if let colon = label.firstIndex(of: ":") {
                self.init(
                    name: String(label[..<colon]), version: String(label[label.index(after: colon)...]), path: path)
            } else {
                self.init(name: String(label), path: path)
            }
            try check()
        }

        private func check() throws(ServingError) {
            let allowed = { (c: Character) in c.isLetter || c.isNumber || "-_.".contains(c) }
            guard !name.isEmpty, name.allSatisfy(allowed) else {
                throw ServingError(
                    status: 400,
                    "model '\(name)': expected a name of letters, digits, '-', '_' and '.' (NAME=FILE or "
                        + "NAME:VERSION=FILE)")
            }
            if let version, version.isEmpty || !version.allSatisfy(allowed) {
                throw ServingError(
                    status: 400, "model '\(name)': expected a version of letters, digits, '-', '_' and '.'")
            }
            guard !path.isEmpty else { throw ServingError(status: 400, "model '\(name)': no file after '='") }
        }
    }

    public struct Model: Sendable {
        public let name: String
        public let version: String
        public let path: String
        public let classifier: Classifier
        let explaining: Explaining
        let modified: Date
        let order: Int

        /// The input's shape in the protocol's terms, -1 for the batch.
        public var inputShape: [Int] {
            let image = classifier.preprocessing.image
            return classifier.isImageModel ? [-1] + image.dimensions : [-1, image.valueCount]
        }
    }

    public let models: [Model]

    /// Loads every entry's model file. Two entries with the same name and version are an error.
    public init(entries: [Entry], flipAveraging: Bool? = nil) throws {
        var models = [Model]()
        for (order, entry) in entries.enumerated() {
            let url = URL(fileURLWithPath: entry.path)
            guard let data = FileManager.default.contents(atPath: entry.path) else {
                throw ModelError.modelFile(path: entry.path, reason: "no such file")
            }
            let bytes = [UInt8](data)
            let file = try ModelFile.decode(bytes, path: entry.path)
            let modified =
                (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
            let version = entry.version ?? String(MD5.hex(of: bytes).prefix(12))
            if models.contains(where: { $0.name == entry.name && $0.version == version }) {
                throw ServingError(
                    status: 400, "model '\(entry.name)' version '\(version)' is given twice (\(entry.path))")
            }
            models.append(
                Model(
                    name: entry.name, version: version, path: entry.path,
                    classifier: Classifier(file: file, flipAveraging: flipAveraging),
                    explaining: Explaining(model: file.model, shape: file.preprocessing.image, label: entry.name),
                    modified: modified, order: order))
        }
        self.models = models
    }

    /// Model names, in the order first given.
    public var names: [String] {
        var seen = Set<String>()
        return models.map(\.name).filter { seen.insert($0).inserted }
    }

    public func versions(of name: String) -> [Model] { models.filter { $0.name == name } }

    /// The model a request names; with no version, the newest of its name.
    func model(named name: String, version: String?) throws(ServingError) -> Model {
        let candidates = versions(of: name)
        guard !candidates.isEmpty else {
            throw .notFound(
                "unknown model '\(name)'; this server has \(names.map { "'\($0)'" }.joined(separator: ", "))")
        }
        guard let version else {
            return candidates.max { ($0.modified, $0.order) < ($1.modified, $1.order) }!
        }
        guard let model = candidates.first(where: { $0.version == version }) else {
            throw .notFound(
                "model '\(name)' has no version '\(version)'; it has "
                    + candidates.map { "'\($0.version)'" }.joined(separator: ", "))
        }
        return model
    }
}
