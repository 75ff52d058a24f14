import Dispatch
import Foundation
import Inference
import NeuralNet
import NumericCore
import Synchronization

/// `fashion-bench infer-*`: the forward pass through `Classifier`, the path `predict`, `evaluate`
/// and `serve` take, measured as Benchmarks/infer/ort_infer.py measures onnxruntime on the same
/// model's ONNX export.
enum InferBench {
    /// An untrained model file of a preset for Fashion-MNIST (weights drawn from seed 1): the
    /// arithmetic of a forward pass does not depend on what the weights are.
    static func writeModel(preset: Preset, to url: URL) throws {
        let model = try Sequential(specification: preset.model, seed: 1)
        let classes = [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Ankle boot",
        ]
        let file = ModelFile(
            model: model, classNames: classes, preprocessing: Preprocessing(image: ImageShape(height: 28, width: 28)))
        try file.write(to: url)
    }

    /// The same inputs on both sides: `count` images of the model's input, values in [0, 1] from
    /// a fixed formula.
    static func inputs(count: Int, size: Int) -> [Float] {
        (0..<(count * size)).map { Float(($0 * 7919) % 256) / 255 }
    }

    /// Images a second: the median over `rounds` rounds of about `seconds` each, after one
    /// warm-up round. With `threads` 2 the batch is split between two threads that run at once
    /// (a batch of one runs on one).
    static func throughput(classifier: Classifier, size: Int, batch: Int, threads: Int, seconds: Double, rounds: Int)
        throws -> Double
    {
        let parts = min(threads, batch)
        let shares = (0..<parts).map { batch / parts + ($0 < batch % parts ? 1 : 0) }
        let chunks = shares.map { inputs(count: $0, size: size) }
        let failure = Mutex<Error?>(nil)
        func call() {
            if parts == 1 {
                do { _ = try classifier.probabilities(inputs: chunks[0], count: shares[0]) } catch {
                    failure.withLock { $0 = error }
                }
                return
            }
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                do { _ = try classifier.probabilities(inputs: chunks[part], count: shares[part]) } catch {
                    failure.withLock { $0 = error }
                }
            }
        }
        func round(_ length: Double) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            var calls = 0
            var elapsed = 0.0
            repeat {
                call()
                calls += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < length
            return Double(calls * batch) / elapsed
        }
        _ = round(seconds / 2)
        let rates = (0..<rounds).map { _ in round(seconds) }
        if let error = failure.withLock({ $0 }) { throw error }
        return median(rates)
    }

    /// One image at a time on one thread: each call's time in microseconds, sorted.
    static func latencies(classifier: Classifier, size: Int, calls: Int) throws -> [Double] {
        let image = inputs(count: 1, size: size)
        for _ in 0..<min(calls, 200) { _ = try classifier.probabilities(inputs: image, count: 1) }
        var times = [Double]()
        times.reserveCapacity(calls)
        for _ in 0..<calls {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try classifier.probabilities(inputs: image, count: 1)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        return times.sorted()
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
    }
}
