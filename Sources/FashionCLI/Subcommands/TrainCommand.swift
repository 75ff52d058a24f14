import ArgumentParser
import FashionData
import Foundation
import NeuralNet
import NumericCore
import Studies

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier and write it as a model file.",
        discussion: """
            The architecture is a preset (the seed study's model1, model2, model3; strong-mlp; the CNNs \
            cnn-reference, cnn-small, cnn-best), a compact \
            dense spec such as 784-128-64-10, or a JSON model file ({"inputSize": 784, \
            "layers": [{"kind": "dense", "units": 128}, {"kind": "relu"}, ...]}). A preset brings \
            its own epochs and learning rate; options given here override them. The test set \
            is not touched: model selection uses the validation split.
            """)

    @OptionGroup var dataset: DatasetOptions

    @Option(
        help: ArgumentHelp(
            "A preset: \(Preset.all.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var preset: String?

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("A compact dense spec (784-128-64-10) or a JSON model file.", valueName: "spec"))
    var modelSpec: String?

    @Option(help: ArgumentHelp("Hidden-layer activation for a compact spec.", valueName: "kind"))
    var activation: String = "relu"

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "Fine-tune a trained model file: its architecture and weights, a new last layer where the classes "
                + "differ; pictures prepared as it takes them; its training options unless given here.",
            valueName: "model"))
    var startingModel: String?

    @Option(
        help: ArgumentHelp(
            "With --from: train only the last dense layer for the first N epochs, then every layer.",
            valueName: "n"))
    var freezeEpochs: Int?

    @OptionGroup var training: TrainingArguments

    @Option(
        name: .customLong("val-split"),
        help: ArgumentHelp(
            "Fraction of the training set held out for validation (stratified); 0 for none.", valueName: "fraction"))
    var validationFraction = 0.1

    @Option(help: "Seed for the weights, the split, the shuffles and dropout.")
    var seed: UInt64 = 42

    @Option(
        help: ArgumentHelp(
            "Seed for the validation split alone (default: --seed), so that models of other seeds hold out the "
                + "same images, as an ensemble's members must for fashion evaluate --on validation.",
            valueName: "n"))
    var splitSeed: UInt64?

    @Option(help: "Threads for training (the weights are the same for any count).")
    var threads = 2

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Where to write the model file (default: runs/<time>-<name>/model.safetensors).", valueName: "file"))
    var output: String?

    @Flag(
        help: ArgumentHelp(
            "Tag rather than classify: a sigmoid a class, binary cross-entropy, thresholds chosen on the "
                + "validation split (implied by multi-label data, read from manifests)."))
    var multiLabel = false

    @Option(
        name: .customLong("pos-weight"),
        help: ArgumentHelp(
            "Tags: weight each tag's positives in the loss: auto (negatives over positives in the training set, "
                + "as PyTorch's pos_weight is set) or one number a tag, comma-separated.", valueName: "auto|w,..."))
    var positiveWeight: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if preset != nil && modelSpec != nil { throw ValidationError("give --preset or --model, not both") }
        if startingModel != nil && (preset != nil || modelSpec != nil) {
            throw ValidationError("--from: the architecture is the model file's; not with --preset or --model")
        }
        if freezeEpochs != nil && startingModel == nil {
            throw ValidationError("--freeze-epochs: freezes the layers of the model given with --from; give --from")
        }
        if let freezeEpochs, freezeEpochs < 0 {
            throw ValidationError("--freeze-epochs: expected 0 or more, found \(freezeEpochs)")
        }
        if let preset, Preset.named(preset) == nil {
            throw ValidationError(
                "--preset: expected one of \(Preset.all.map(\.name).joined(separator: ", ")), found '\(preset)'")
        }
        guard validationFraction >= 0, validationFraction < 1 else {
            throw ValidationError("--val-split: expected a fraction in [0, 1), found \(validationFraction)")
        }
        guard (1...64).contains(threads) else { throw ValidationError("--threads: expected 1...64, found \(threads)") }
        if splitSeed != nil && validationFraction == 0 {
            throw ValidationError("--split-seed: seeds the validation split, and --val-split 0 holds none out")
        }
    }

    func run() throws {
        let source = try startingModel.map { try ModelFile.read(from: URL(fileURLWithPath: $0)) }
        if let source, let done = source.quantization, let startingModel {
            throw ValidationError(
                "--from: \(startingModel) is quantized (\(done.precision)), for inference only; fine-tune the 32-bit "
                    + "model it was made from, and quantize the result")
        }
        let (name, given, baseOptions) = try source.map(fineTuned) ?? architecture()
        var loaded =
            try source.map { try dataset.load(preparedFor: $0.preprocessing, model: startingModel ?? "") }
            ?? dataset.load()
        if multiLabel && !loaded.isMultiLabel { loaded = loaded.withClassesAsTags() }
        let tags = loaded.isMultiLabel
        // A preset fits itself to the data (its input and its classes); a spec given in full does
        // not, though a compact one ends in sigmoid for tags.
        let isJSONFile = modelSpec.map { FileManager.default.fileExists(atPath: $0) } ?? false
        let specification =
            modelSpec == nil || source != nil
            ? given.adapted(toImages: loaded.train.shape, classes: loaded.classCount, multiLabel: tags)
            : (tags && !isJSONFile ? Tagging.model(given) : given)
        let url =
            output.map { URL(fileURLWithPath: $0) }
            ?? Self.defaultRunFolder(name: name).appendingPathComponent("model.safetensors")
        var options = try training.options(overriding: baseOptions)
        if let freezeEpochs { options.frozenEpochs = freezeEpochs }
        if tags { options = Tagging.options(options) }
        if let positiveWeight {
            guard tags else {
                throw ValidationError(
                    "--pos-weight: weights a tagger's positives; these data have one class an image (add --multi-label)"
                )
            }
            options.positiveWeights = try Self.positiveWeights(
                positiveWeight, images: loaded.train, tags: loaded.classCount)
        }
        var plan = TrainingPlan(
            kind: .train, name: name, architecture: specification,
            options: options, seed: seed,
            validationSplit: validationFraction, threads: threads, modelFile: url, writesHistory: true,
            splitSeed: splitSeed)
        plan.startingFrom = startingModel.map { URL(fileURLWithPath: $0) }
        let run = try FlagNames.translating { try TrainingRun(plan, dataset: loaded) }
        print(Self.header(run, name: name, data: loaded.location.folder.path))
        if let startingModel, let fresh = run.freshLayers {
            let copied = run.model.layers.count - fresh.count
            var new = fresh.isEmpty ? "" : "; new: layer " + fresh.map(String.init).joined(separator: ", ")
            if case .reorder = run.headMapping { new += "; the last layer's outputs put in the data's class order" }
            let frozen =
                (options.frozenEpochs ?? 0) > 0
                ? "; only the last dense layer on for \(options.frozenEpochs!) epoch(s)" : ""
            print(
                "Fine-tuning \(startingModel): \(copied) of \(run.model.layers.count) layers' weights copied\(new)\(frozen)"
            )
        }
        let database = try store.open()
        let outcome = try FlagNames.translating { try run.execute(store: database, observer: ProgressBar()) }
        print(Self.footer(outcome, store: database?.location, tagNames: loaded.classNames))
    }

    /// What training did and where it went.
    static func footer(_ outcome: TrainingOutcome, store: String?, tagNames: [String] = []) -> String {
        let history = outcome.history
        var lines = outcome.runID.map { ["Recorded as run \($0) in \(store ?? "")"] } ?? []
        lines.append(
            String(
                format: "Trained %d epochs in %.2f s (%.3f s per epoch).", history.epochs.count, history.totalSeconds,
                history.totalSeconds / Double(max(1, history.epochs.count))))
        if let map = history.epochs.last?.metrics[Tagging.objective] {
            let subset = history.epochs.last?.validationAccuracy ?? .nan
            lines.append(
                String(format: "Validation mean average precision: %.4f, subset accuracy (at 0.5): %.4f", map, subset))
        } else if let accuracy = history.epochs.last?.validationAccuracy {
            lines.append(String(format: "Validation accuracy: %.4f", accuracy))
        }
        if let thresholds = outcome.thresholds {
            let shown = zip(tagNames, thresholds).map { "\($0.0) " + String(format: "%.2f", $0.1) }
            lines.append("Thresholds (best F1 on the validation split): " + shown.joined(separator: ", "))
        }
        if let url = outcome.modelFile { lines.append("Wrote \(url.path)") }
        return lines.joined(separator: "\n")
    }

    /// What is about to train: the model, its options and the data.
    static func header(_ run: TrainingRun, name: String, data: String) -> String {
        let options = run.options
        let plan = run.plan
        return """
            Model \(name): \(plan.architecture.compact ?? "custom"), \(options.epochs) epochs, batch \
            \(options.batchSize), \
            \(options.optimizer.kind.rawValue) \(options.optimizer.learningRate), seed \(plan.seed), \(plan.threads) \
            thread(s)
            Data: \(run.train.count) training, \(run.validation?.count ?? 0) validation images from \(data)
            \(run.model.summary)
            """
    }

    /// `--from`: the model file's architecture (fitted to the data's classes below) and training
    /// options, without its seed-specific parts.
    private func fineTuned(_ file: ModelFile) -> (String, ModelSpecification, TrainingOptions) {
        var options = file.training ?? TrainingOptions()
        options.earlyStopping = nil
        options.keepBest = nil
        options.frozenEpochs = nil
        options.positiveWeights = nil
        let name = ((startingModel ?? "model") as NSString).lastPathComponent
        return ("\((name as NSString).deletingPathExtension)-tuned", file.model.specification, options)
    }

    private func architecture() throws -> (String, ModelSpecification, TrainingOptions) {
        if let modelSpec {
            if FileManager.default.fileExists(atPath: modelSpec) {
                guard let data = FileManager.default.contents(atPath: modelSpec) else {
                    throw ValidationError("\(modelSpec): cannot read the model file")
                }
                do {
                    return (
                        (modelSpec as NSString).lastPathComponent,
                        try JSONDecoder().decode(ModelSpecification.self, from: data), TrainingOptions()
                    )
                } catch {
                    throw ValidationError("\(modelSpec): not a JSON model specification: \(error)")
                }
            }
            guard let kind = LayerSpecification.Kind(rawValue: activation) else {
                throw ValidationError(
                    "--activation: expected one of relu, leaky_relu, elu, gelu, tanh, sigmoid; found '\(activation)'")
            }
            return (modelSpec, try ModelSpecification.parse(compact: modelSpec, activation: kind), TrainingOptions())
        }
        let preset = Preset.named(preset ?? "model1")!
        return (preset.name, preset.model, preset.options)
    }

    /// `--pos-weight`: "auto" gives each tag negatives over positives in `images` (1 for a tag no
    /// image has); otherwise one number a tag.
    static func positiveWeights(_ text: String, images: LabeledImages, tags: Int) throws -> [Double] {
        if text == "auto" {
            let positives = images.classCounts(classCount: tags)
            return positives.map { $0 == 0 ? 1 : Double(images.count - $0) / Double($0) }
        }
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == tags, let weights = values as? [Double] else {
            throw ValidationError(
                "--pos-weight: expected auto or \(tags) numbers (one a tag) separated by commas, found '\(text)'")
        }
        return weights
    }

    static func defaultRunFolder(name: String) -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let safe = name.replacingOccurrences(of: "/", with: "_")
        return URL(fileURLWithPath: "runs").appendingPathComponent("\(formatter.string(from: Date()))-\(safe)")
    }
}
