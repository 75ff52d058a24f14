import NeuralNet
import NumericCore

/// What one call of a `Classifier` works in: a copy of the model that shares its weights
/// (`Sequential.sharingWeights()`), and the input and mirror-image buffers. Used by one
/// thread at a time.
final class Workspace: @unchecked Sendable {
    let model: Sequential
    let input = Matrix(rows: 0, columns: 0)
    private let mirror = Matrix(rows: 0, columns: 0)
    private let firstPass = Matrix(rows: 0, columns: 0)

    init(model: Sequential) { self.model = model.sharingWeights() }

    func copy() -> Workspace { Workspace(model: model) }

    /// The model's inference-mode output for `input`; with `flipAveraging`, the mean of the
    /// outputs for the images and for their mirror images (as `Trainer.predict` computes it).
    func output(flipAveraging: Bool) -> Matrix {
        let plain = model(input)
        guard flipAveraging, model.inputShape.count == 3 else { return plain }
        firstPass.resize(rows: plain.rows, columns: plain.columns)
        firstPass.pointer.update(from: plain.pointer, count: plain.count)
        Augmentation.mirror(input, shape: model.inputShape, into: mirror)
        let flipped = model(mirror)
        for i in 0..<flipped.count { flipped.pointer[i] = 0.5 * (firstPass.pointer[i] + flipped.pointer[i]) }
        return flipped
    }
}
