import Dispatch
import Explain
import Foundation
import NeuralNet
import NumericCore

/// Saliency maps for the page's "Why?" button (`POST .../explain`, a fashion extension of the
/// protocol): one image, explained by integrated gradients (64 points, black baseline),
/// occlusion (a 4-pixel patch moved by 2) or the plain gradient, of the class the model
/// chose or of `parameters.class`. Each model's explanations run on a queue of their own, one
/// at a time, never in the batcher: plain inference does not wait for them.
final class Explaining: @unchecked Sendable {
    enum Method: String, CaseIterable {
        case integratedGradients = "integrated-gradients"
        case occlusion
        case gradient
    }

    private let explainer: Explainer
    private let shape: ImageShape
    private let queue: DispatchQueue

    init(model: Sequential, shape: ImageShape, label: String) {
        explainer = Explainer(model: model)
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
        let classes = explainer.classCount
        if let classIndex, !(0..<classes).contains(classIndex) {
            throw .badRequest("parameters.class: expected a class index from 0 to \(classes - 1), found \(classIndex)")
        }
        return await withCheckedContinuation { continuation in
            // The serial queue is what makes the one explainer (its buffers) safe to use.
            queue.async {
                let explainer = self.explainer
                let shape = self.shape
                let probabilities = explainer.probabilities(input, count: 1)
                let target =
                    classIndex ?? probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
                var delta: Double?
                let values: [Float]
                switch method {
                case .integratedGradients:
                    let result = explainer.integratedGradients(
                        input, baselines: [Float](repeating: 0, count: input.count), classes: [target], steps: 64)
                    values = result.maps
                    delta = result.deltas.first
                case .occlusion:
                    values = explainer.occlusion(input, classes: [target], shape: shape, window: 4, stride: 2)
                case .gradient:
                    values = explainer.gradient(input, classes: [target])
                }
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
