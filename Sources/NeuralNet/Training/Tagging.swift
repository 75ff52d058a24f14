/// How a classifier's configuration becomes a tagger's, for multi-label data: the final softmax
/// becomes a sigmoid (an independent probability a tag), the loss binary cross-entropy, and
/// flip averaging (which averages softmax probabilities) is left off. `train`, each study entry
/// and each tuning trial go through here, so they agree.
public enum Tagging {
    /// The metric a search maximises on multi-label data, as on single-label data accuracy.
    public static let objective = EpochRecord.Name.validationMeanAveragePrecision

    public static func model(_ specification: ModelSpecification) -> ModelSpecification {
        var tagger = specification
        if tagger.layers.last?.kind == .softmax {
            tagger.layers[tagger.layers.count - 1] = LayerSpecification(kind: .sigmoid)
        }
        return tagger
    }

    public static func options(_ options: TrainingOptions) -> TrainingOptions {
        var tagger = options
        tagger.loss = .sigmoidBinaryCrossEntropy
        tagger.flipAveraging = false
        return tagger
    }
}
