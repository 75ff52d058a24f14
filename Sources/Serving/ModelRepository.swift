import FashionData
import Foundation
import Inference
import NeuralNet

/// The models a server answers for, each under a name and a version; the newest version of a
/// name (its file's modification time; the later one given on a tie) answers requests that
/// name no version.
public struct ModelRepository: Sendable {
    /// How a model is given on the command line: `FILE`, `NAME=FILE` or `NAME:VERSION=FILE`,
    /// and an ensemble `NAME=FILE+FILE...` (the mean of its members' probabilities).
    public struct Entry: Equatable, Sendable {
        public let name: String
        /// nil: the first 12 hex digits of the file's MD5 (as `fashion export` writes it); an
        /// ensemble's, of its members' files one after another.
        public let version: String?
        /// One model file, or an ensemble's members in order.
        public let paths: [String]
        /// The files as given, an ensemble's joined by `+`.
        public var path: String { paths.joined(separator: "+") }

        public init(name: String, version: String? = nil, path: String) {
            self.init(name: name, version: version, paths: [path])
        }

        public init(name: String, version: String? = nil, paths: [String]) {
            self.name = name
            self.version = version
            self.paths = paths
        }

        /// Reads `FILE`, `NAME=FILE` or `NAME:VERSION=FILE`; a bare file is named after its
        /// file name without extensions. `FILE+FILE` is an ensemble, unless a file of that whole
        /// name exists; an ensemble must be named.
        public init(parsing text: String) throws(ServingError) {
            guard let equals = text.firstIndex(of: "=") else {
                let paths = Self.files(text)
                guard paths.count == 1 else {
                    throw ServingError(
                        status: 400,
                        "model '\(text)': an ensemble needs a name (NAME=FILE+FILE or NAME:VERSION=FILE+FILE)")
                }
                let file = URL(fileURLWithPath: text).lastPathComponent
                let stem = file.split(separator: ".").first.map(String.init) ?? file
                self.init(name: stem, path: text)
                try check()
                return
            }
            let label = text[..<equals]
            let paths = Self.files(String(text[text.index(after: equals)...]))
            if let colon = label.firstIndex(of: ":") {
                self.init(
                    name: String(label[..<colon]), version: String(label[label.index(after: colon)...]), paths: paths)
            } else {
                self.init(name: String(label), paths: paths)
            }
            try check()
        }

        /// The files of `text`: itself, or split at each `+` when no file has the whole name.
        private static func files(_ text: String) -> [String] {
            guard text.contains("+"), !FileManager.default.fileExists(atPath: text) else { return [text] }
            return text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
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
            guard !paths.contains(where: \.isEmpty) else {
                throw ServingError(status: 400, "model '\(name)': an empty file name in '\(path)' (FILE+FILE)")
            }
        }
    }

    /// One served model: its name, version, file and classifier.
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

    /// Loads every entry's model files. Two entries with the same name and version are an
    /// error, and so are an ensemble's members that cannot be averaged (`ModelFile.ensembleProblem`).
    public init(entries: [Entry], flipAveraging: Bool? = nil) throws {
        var models = [Model]()
        for (order, entry) in entries.enumerated() {
            guard !entry.paths.isEmpty else { throw ServingError(status: 400, "model '\(entry.name)': no file given") }
            var bytes = [UInt8]()
            var files = [ModelFile]()
            var modified = Date.distantPast
            for path in entry.paths {
                let (own, ownBytes) = try ModelFile.readWithBytes(from: URL(fileURLWithPath: path))
                files.append(own)
                bytes += ownBytes
                let date = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
                modified = max(modified, date ?? Date())
            }
            let file = files[0]
            let classifier: Classifier
            do { classifier = try Classifier(ensemble: files, paths: entry.paths, flipAveraging: flipAveraging) } catch
            {
                switch error {
                case .badInput(_, let reason): throw ServingError(status: 400, "model '\(entry.name)': \(reason)")
                }
            }
            let version = entry.version ?? String(MD5.hex(of: bytes).prefix(12))
            if models.contains(where: { $0.name == entry.name && $0.version == version }) {
                throw ServingError(
                    status: 400, "model '\(entry.name)' version '\(version)' is given twice (\(entry.path))")
            }
            models.append(
                Model(
                    name: entry.name, version: version, path: entry.path,
                    classifier: classifier,
                    explaining: Explaining(
                        models: files.map(\.model), shape: file.preprocessing.image, label: entry.name),
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
