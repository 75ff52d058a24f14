import NeuralNet
import NumericCore

/// What one call of a `Classifier` works in: a copy of the model that shares its weights
/// (`Sequential.sharingWeights()`), and the input and mirror-image buffers. Used by one
/// thread at a time.
final class Workspace: @unchecked Sendable {
    let model: Sequential
    let input = Matrix(rows: 0, columns: 0)
    private let mirror = Matrix(rows: 0, columns: 0)

    init(model: Sequential) { self.model = model.sharingWeights() }

    func copy() -> Workspace { Workspace(model: model) }

    /// The model's inference-mode output for `input`, with flip averaging as `Trainer.predict`
    /// computes it (the same function).
    func output(flipAveraging: Bool) -> Matrix {
        Trainer.output(of: model, for: input, flipAveraging: flipAveraging, mirror: mirror)
    }
}
