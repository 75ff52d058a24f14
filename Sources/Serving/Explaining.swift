import Dispatch
import Explain
import Foundation
import NeuralNet
import NumericCore

/// Saliency maps for the page's "Why?" button (`POST .../explain`, a fashion extension of the
/// protocol): one image, explained by integrated gradients (64 points, black baseline),
/// occlusion (a 4-pixel patch moved by 2) or the plain gradient, of the class the model
/// chose or of `parameters.class`. Each model's explanations run on a queue of their own, one
/// at a time, never in the batcher: plain inference does not wait for them. An ensemble's are
/// the mean of its members' (as `fashion evaluate` pictures them), of the class its mean
/// probabilities choose.
final class Explaining: @unchecked Sendable {
    enum Method: String, CaseIterable {
        case integratedGradients = "integrated-gradients"
        case occlusion
        case gradient
    }

    private let explainers: [Explainer]
    private let shape: ImageShape
    private let queue: DispatchQueue

    /// - Parameter models: one model, or an ensemble's members (at least one).
    init(models: [Sequential], shape: ImageShape, label: String) {
        explainers = models.map { Explainer(model: $0) }
        self.shape = shape
        queue = DispatchQueue(label: "fashion-explain-\(label)")
    }

    struct Answer {
        let method: Method
        let classIndex: Int
        let probability: Float
        /// One value a pixel (summed over channels), `[height, width]`.
        let map: [Float]
        let completenessDelta: Double?
    }

    /// Explains one image of scaled inputs.
    func explain(_ input: [Float], method: Method, classIndex: Int?) async throws(ServingError) -> Answer {
        let classes = explainers[0].classCount
        if let classIndex, !(0..<classes).contains(classIndex) {
            throw .badRequest("parameters.class: expected a class index from 0 to \(classes - 1), found \(classIndex)")
        }
        return await withCheckedContinuation { continuation in
            // The serial queue is what makes the explainers (their buffers) safe to use.
            queue.async {
                let shape = self.shape
                let probabilities = Ensemble.mean(self.explainers.map { $0.probabilities(input, count: 1) })
                let target =
                    classIndex ?? probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
                var differences = [Double]()
                var members = [[Float]]()
                for explainer in self.explainers {
                    switch method {
                    case .integratedGradients:
                        let result = explainer.integratedGradients(
                            input, baselines: [Float](repeating: 0, count: input.count), classes: [target], steps: 64)
                        members.append(result.maps)
                        differences += result.differences.prefix(1)
                    case .occlusion:
                        members.append(
                            explainer.occlusion(input, classes: [target], shape: shape, window: 4, stride: 2))
                    case .gradient:
                        members.append(explainer.gradient(input, classes: [target]))
                    }
                }
                let values = Ensemble.mean(members)
                // Integrated gradients' completeness for the mean map: its sum against the mean of
                // the members' score differences (`fashion explain` reckons it the same way).
                let delta =
                    differences.isEmpty
                    ? nil
                    : Explainer.completenessDeltas(
                        values, differences: [differences.reduce(0, +) / Double(differences.count)]
                    ).first
                var map = [Float](repeating: 0, count: shape.height * shape.width)
                for (i, value) in values.enumerated() { map[i / shape.channels] += value }
                continuation.resume(
                    returning: Answer(
                        method: method, classIndex: target, probability: probabilities[target], map: map,
                        completenessDelta: delta))
            }
        }
    }
}
