import Foundation
import NumericCore

/// Updates parameters from their gradients, one step at a time. The learning rate is set
/// before every step (by the schedule); the optimizer keeps its own per-parameter state.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// One update of every parameter from its current gradient.
    func step(_ parameters: [Parameter])
    var specification: OptimizerSpecification { get }
}

/// Per-parameter buffers an optimizer keeps (moments, velocities), created on first use.
final class SlotStore {
    private var slots = [ObjectIdentifier: [Matrix]]()

    func slots(for parameter: Parameter, count: Int) -> [Matrix] {
        if let existing = slots[ObjectIdentifier(parameter)] { return existing }
        let created = (0..<count).map { _ in Matrix(rows: parameter.value.rows, columns: parameter.value.columns) }
        slots[ObjectIdentifier(parameter)] = created
        return created
    }
}
