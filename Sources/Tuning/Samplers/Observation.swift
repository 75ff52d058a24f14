import Foundation
import NumericCore

/// A finished or running trial as the samplers and pruners see it.
public struct Observation: Sendable {
    /// Whether a trial finished or was pruned, as the sampler sees it.
    public enum State: Sendable {
        case running, complete, pruned, failed
        /// Its worker died; another trial took over its parameters.
        case interrupted
    }

    public var number: Int
    public var parameters: Assignment
    public var state: State
    /// The objective (validation accuracy, higher is better) of a complete trial.
    public var value: Double?
    /// Validation accuracy after each epoch.
    public var steps: [Int: Double]
    public var seconds: Double?

    public init(
        number: Int, parameters: Assignment, state: State, value: Double? = nil, steps: [Int: Double] = [:],
        seconds: Double? = nil
    ) {
        self.seconds = seconds
        self.number = number
        self.parameters = parameters
        self.state = state
        self.value = value
        self.steps = steps
    }
}
