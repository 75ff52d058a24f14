import Foundation
import Synchronization

/// The server's counters and histograms, written in Prometheus' text format (version 0.0.4)
/// at `GET /metrics`: requests by endpoint, model and status; inference latency and queue
/// time by model; images per forward pass by model.
public final class ServerMetrics: Sendable {
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    struct RequestKey: Hashable, Comparable {
        let endpoint: String
        let model: String
        let status: Int

        static func < (a: RequestKey, b: RequestKey) -> Bool {
            (a.endpoint, a.model, a.status) < (b.endpoint, b.model, b.status)
        }
    }

    struct Storage {
        var requests: [RequestKey: Int] = [:]
        var latency: [String: Histogram] = [:]
        var queue: [String: Histogram] = [:]
        var batches: [String: Histogram] = [:]
        var images: [String: Int] = [:]
    }

    static let secondsBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]
    static let batchBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    private let storage = Mutex(Storage())

    public init() {}

    func countRequest(endpoint: String, model: String, status: Int) {
        storage.withLock { $0.requests[RequestKey(endpoint: endpoint, model: model, status: status), default: 0] += 1 }
    }

    func observeInference(model: String, seconds: Double, queueSeconds: Double?) {
        storage.withLock {
            $0.latency[model, default: Histogram(bounds: Self.secondsBounds)].observe(seconds)
            if let queueSeconds {
                $0.queue[model, default: Histogram(bounds: Self.secondsBounds)].observe(queueSeconds)
            }
        }
    }

    func observeBatch(model: String, images: Int) {
        storage.withLock {
            $0.batches[model, default: Histogram(bounds: Self.batchBounds)].observe(Double(images))
            $0.images[model, default: 0] += images
        }
    }

    /// The metrics in Prometheus' text exposition format.
    public func text() -> String {
        let storage = self.storage.withLock { $0 }
        var out = ""
        out += "# HELP fashion_requests_total HTTP requests answered, by endpoint, model and status.\n"
        out += "# TYPE fashion_requests_total counter\n"
        for (key, value) in storage.requests.sorted(by: { $0.key < $1.key }) {
            out +=
                "fashion_requests_total{endpoint=\"\(key.endpoint)\",model=\"\(Self.escaped(key.model))\","
                + "status=\"\(key.status)\"} \(value)\n"
        }
        out += "# HELP fashion_inference_images_total Images classified, by model.\n"
        out += "# TYPE fashion_inference_images_total counter\n"
        for (model, value) in storage.images.sorted(by: { $0.key < $1.key }) {
            out += "fashion_inference_images_total{model=\"\(Self.escaped(model))\"} \(value)\n"
        }
        out += Self.histograms(
            "fashion_request_duration_seconds", help: "Time from a whole request read to its answer, by model.",
            storage.latency)
        out += Self.histograms(
            "fashion_queue_duration_seconds", help: "Time a request waited for its forward pass, by model.",
            storage.queue)
        out += Self.histograms(
            "fashion_batch_size", help: "Images in each forward pass, by model.", storage.batches)
        return out
    }

    private static func histograms(_ name: String, help: String, _ values: [String: Histogram]) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (model, histogram) in values.sorted(by: { $0.key < $1.key }) {
            let label = "model=\"\(escaped(model))\""
            for (bound, count) in zip(histogram.bounds, histogram.counts) {
                out += "\(name)_bucket{\(label),le=\"\(format(bound))\"} \(count)\n"
            }
            out += "\(name)_bucket{\(label),le=\"+Inf\"} \(histogram.count)\n"
            out += "\(name)_sum{\(label)} \(histogram.sum)\n"
            out += "\(name)_count{\(label)} \(histogram.count)\n"
        }
        return out
    }

    private static func format(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
