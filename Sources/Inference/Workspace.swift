import NeuralNet
import NumericCore

/// What one call of a `Classifier` works in: a copy of each of its models that shares the
/// model's weights (`Sequential.sharingWeights()`), and the input, mirror-image and sum
/// buffers. Used by one thread at a time.
final class Workspace: @unchecked Sendable {
    let models: [Sequential]
    let input = Matrix(rows: 0, columns: 0)
    private let mirror = Matrix(rows: 0, columns: 0)
    private let mean = Matrix(rows: 0, columns: 0)

    /// - Parameter models: one model, or an ensemble's members (at least one).
    init(models: [Sequential]) { self.models = models.map { $0.sharingWeights() } }

    func copy() -> Workspace { Workspace(models: models) }

    /// The inference-mode output for `input`, with flip averaging as `Trainer.predict` computes
    /// it (the same function), `flipAveraging` one a model. An ensemble's is the mean of its
    /// members': added in order, then divided by their count, as `fashion evaluate` averages them.
    func output(flipAveraging: [Bool]) -> Matrix {
        let first = Trainer.output(of: models[0], for: input, flipAveraging: flipAveraging[0], mirror: mirror)
        guard models.count > 1 else { return first }
        mean.resize(rows: first.rows, columns: first.columns)
        let sum = mean.pointer
        sum.update(from: first.pointer, count: first.count)
        for (model, flip) in zip(models.dropFirst(), flipAveraging.dropFirst()) {
            let more = Trainer.output(of: model, for: input, flipAveraging: flip, mirror: mirror).pointer
            for i in 0..<mean.count { sum[i] += more[i] }
        }
        let share = Float(models.count)
        for i in 0..<mean.count { sum[i] /= share }
        return mean
    }
}
