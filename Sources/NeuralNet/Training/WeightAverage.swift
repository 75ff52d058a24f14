import NumericCore

/// An exponential moving average of every tensor of a model (its parameters and layer state,
/// such as batch-norm running statistics), updated after each optimiser step:
/// `average += (1 - d) * (weight - average)` with `d = min(decay, (1 + step) / (10 + step))`,
/// so the first steps are not dominated by the random initial weights.
final class WeightAverage {
    let decay: Float
    private let tensors: [Parameter]
    private(set) var averages: [[Float]]

    init(model: Sequential, decay: Double) {
        self.decay = Float(decay)
        tensors = model.namedTensors.map(\.parameter)
        averages = tensors.map(\.value.values)
    }

    func update(step: Int) {
        let d = min(decay, Float(1 + step) / Float(10 + step))
        let share = 1 - d
        for index in tensors.indices {
            let weights = tensors[index].value.pointer
            averages[index].withUnsafeMutableBufferPointer { average in
                for j in average.indices { average[j] += share * (weights[j] - average[j]) }
            }
        }
    }
}
