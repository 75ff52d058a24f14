import NeuralNet
import NumericCore

/// What one call of a `Classifier` works in: each of its models as inference runs it
/// (`Sequential.inferenceModel()`, made once; each further workspace shares its weights), and
/// the input and mirror-image buffers. Used by one thread at a time.
final class Workspace: @unchecked Sendable {
    let models: [Sequential]
    let input = Matrix(rows: 0, columns: 0)
    private let mirror = Matrix(rows: 0, columns: 0)

    /// - Parameter models: one model, or an ensemble's members (at least one).
    init(models: [Sequential]) { self.models = models.map { $0.inferenceModel() } }

    private init(sharing workspace: Workspace) { models = workspace.models.map { $0.sharingWeights() } }

    func copy() -> Workspace { Workspace(sharing: self) }

    /// The inference-mode output for `input`, with flip averaging as `Trainer.predict` computes
    /// it (the same function), `flipAveraging` one a model. An ensemble's is the mean of its
    /// members' (`Ensemble.mean`, as `fashion evaluate` averages them).
    func output(flipAveraging: [Bool]) -> [Float] {
        // Each member's output copied out before the next runs (it lives in the member's layers).
        Ensemble.mean(
            zip(models, flipAveraging).map { model, flip in
                Array(Trainer.output(of: model, for: input, flipAveraging: flip, mirror: mirror).buffer)
            })
    }
}
