import Foundation
import NeuralNet
import RunStore

/// What one training run is to do: the model and its training, the split, where the results
/// go. `TrainingRun` carries it out; `fashion train`, `study` and tune's final retrain each
/// make one.
public struct TrainingPlan: Sendable {
    /// Who asked, as the run store records it.
    public enum Kind: String, Codable, Sendable {
        case train, study, tune
    }

    public var kind: Kind
    /// The run's name in the store ("model3", "mlp trial 12").
    public var name: String
    /// The study or tuning study the run belongs to.
    public var study: String?
    public var architecture: ModelSpecification
    /// The training; its `seed` is set from `seed`.
    public var options: TrainingOptions
    /// Seeds the weights, the validation split (unless `splitSeed` is given), the shuffles and dropout.
    public var seed: UInt64
    /// The share of the training set held out (stratified) for validation; 0 for none.
    public var validationSplit: Double
    /// Seeds the validation split alone, so that runs of other seeds (an ensemble's members)
    /// hold out the same images; nil: `seed`.
    public var splitSeed: UInt64?
    public var threads: Int
    /// Where the model file goes; nil writes none.
    public var modelFile: URL?
    /// Whether the history goes beside the model file (`<model>.history.json`).
    public var writesHistory: Bool
    /// Whether the trained model is evaluated once on the test set.
    public var evaluatesOnTest: Bool
    /// Metrics recorded with the run besides the last epoch's and the test set's.
    public var extraMetrics: [String: Double]
    /// Files recorded with the run besides the model and history (reports written later).
    public var extraArtifacts: [StoredArtifact]
    /// Fine-tuning: a model file whose weights the model starts from, layer by layer where the
    /// shapes agree (`Sequential.copyWeights(from:)`); nil: the weights are drawn from `seed`.
    public var startingFrom: URL? = nil

    public init(
        kind: Kind, name: String, study: String? = nil, architecture: ModelSpecification, options: TrainingOptions,
        seed: UInt64,
        validationSplit: Double, threads: Int, modelFile: URL? = nil, writesHistory: Bool = false,
        evaluatesOnTest: Bool = false,
        extraMetrics: [String: Double] = [:], extraArtifacts: [StoredArtifact] = [], splitSeed: UInt64? = nil
    ) {
        self.kind = kind
        self.name = name
        self.study = study
        self.architecture = architecture
        self.options = options
        self.seed = seed
        self.validationSplit = validationSplit
        self.splitSeed = splitSeed
        self.threads = threads
        self.modelFile = modelFile
        self.writesHistory = writesHistory
        self.evaluatesOnTest = evaluatesOnTest
        self.extraMetrics = extraMetrics
        self.extraArtifacts = extraArtifacts
    }

    /// The validation split as the model file records it (nil: none held out).
    public var heldOut: HeldOutSplit? {
        validationSplit > 0 ? HeldOutSplit(fraction: validationSplit, seed: splitSeed ?? seed) : nil
    }

    /// Problems a caller can fix, naming the field.
    func validate() throws(StudyError) {
        guard validationSplit >= 0, validationSplit < 1 else {
            throw .invalidField(
                name: "validationSplit", reason: "expected a fraction in [0, 1), found \(validationSplit)")
        }
        guard (1...64).contains(threads) else {
            throw .invalidField(name: "threads", reason: "expected 1...64, found \(threads)")
        }
    }
}
