import Foundation
import Inference

/// Dynamic batching for one model: requests queue up and one worker thread answers them from
/// shared forward passes of at most `maxBatchSize` images. A batch goes when it is full, when
/// `maxDelay` has passed since its first request was queued, or at once when no other request
/// for the model is on its way in (being read or parsed), so a lone client never waits for the
/// delay. Each image gets the numbers it would get alone (`Classifier` computes every image of
/// a batch on its own).
///
/// A request waiting longer than `timeout` is answered 503; when `maxQueue` requests already
/// wait, a new one is refused at once with 503 and `Retry-After`.
final class Batcher: @unchecked Sendable {
    struct Limits: Sendable {
        var maxBatchSize = 32
        var maxDelay: Duration = .milliseconds(2)
        var maxQueue = 1024
        var timeout: Duration = .seconds(10)
    }

    struct Answer: Sendable {
        /// `[count, classes]`, row-major.
        let probabilities: [Float]
        let queueSeconds: Double
        /// Images in the forward pass that answered.
        let batchImages: Int
    }

    private struct Job {
        let count: Int
        let inputs: [Float]
        let enqueued: UInt64
        let deadline: UInt64
        let continuation: CheckedContinuation<Result<Answer, ServingError>, Never>
    }

    let classifier: Classifier
    let limits: Limits
    private let metrics: ServerMetrics?
    private let modelLabel: String
    /// Guards `queue`, `arriving` and `queuedImages`; the worker waits on it.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queuedImages = 0
    private var arriving = 0
    private var isStopped = false

    init(classifier: Classifier, limits: Limits, metrics: ServerMetrics? = nil, modelLabel: String = "") {
        self.classifier = classifier
        self.limits = limits
        self.metrics = metrics
        self.modelLabel = modelLabel
        let thread = Thread { self.work() }
        thread.name = "fashion-batcher"
        thread.start()
    }

    /// Requests waiting in the queue now.
    var queuedRequests: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Stops the worker once the queue is empty (tests make many batchers).
    func stop() {
        condition.lock()
        isStopped = true
        condition.signal()
        condition.unlock()
    }

    /// A request for this model has begun arriving: the worker holds a batch open for it
    /// (up to the delay). Every call is followed by one `submit` or `withdraw`.
    func arrive() {
        condition.lock()
        arriving += 1
        condition.unlock()
    }

    /// The request announced with `arrive` will not be submitted (it was refused).
    func withdraw() {
        condition.lock()
        arriving -= 1
        condition.signal()
        condition.unlock()
    }

    /// Queues `count` images of model inputs (already scaled) and waits for their
    /// probabilities. Counts as the `submit` of an earlier `arrive` when `arrived` is true.
    func submit(inputs: [Float], count: Int, arrived: Bool = true) async -> Result<Answer, ServingError> {
        await withCheckedContinuation { continuation in
            let now = Self.now()
            condition.lock()
            defer { condition.unlock() }
            if arrived { arriving -= 1 }
            guard !isStopped else {
                continuation.resume(returning: .failure(ServingError(status: 503, "the server is stopping")))
                return
            }
            guard queue.count < limits.maxQueue else {
                condition.signal()
                continuation.resume(
                    returning: .failure(
                        ServingError(
                            status: 503, "the queue is full (\(limits.maxQueue) requests wait); try again shortly",
                            retryAfter: 1)))
                return
            }
            queue.append(
                Job(
                    count: count, inputs: inputs, enqueued: now, deadline: now &+ Self.nanoseconds(limits.timeout),
                    continuation: continuation))
            queuedImages += count
            condition.signal()
        }
    }

    private func work() {
        condition.lock()
        while true {
            while queue.isEmpty {
                if isStopped {
                    condition.unlock()
                    return
                }
                condition.wait()
            }
            // Held open no longer than the delay, nor past the first request's own timeout.
            let batchDeadline = min(
                queue[0].enqueued &+ Self.nanoseconds(limits.maxDelay), queue.map(\.deadline).min() ?? .max)
            while queuedImages < limits.maxBatchSize, arriving > 0 {
                let now = Self.now()
                guard now < batchDeadline else { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(batchDeadline - now) / 1e9))
            }
            let now = Self.now()
            var taken = [Job]()
            var images = 0
            var expired = [Job]()
            var kept = [Job]()
            for job in queue {
                if job.deadline <= now {
                    expired.append(job)
                } else if taken.isEmpty || images + job.count <= limits.maxBatchSize, kept.isEmpty {
                    taken.append(job)
                    images += job.count
                } else {
                    kept.append(job)
                }
            }
            queue = kept
            queuedImages = kept.reduce(0) { $0 + $1.count }
            condition.unlock()
            for job in expired {
                job.continuation.resume(
                    returning: .failure(
                        ServingError(
                            status: 503,
                            "the request waited longer than its timeout (\(limits.timeout)) for the model",
                            retryAfter: 1)))
            }
            if !taken.isEmpty { run(taken, images: images, started: now) }
            condition.lock()
        }
    }

    private func run(_ jobs: [Job], images: Int, started: UInt64) {
        var inputs = [Float]()
        inputs.reserveCapacity(images * classifier.inputSize)
        for job in jobs { inputs.append(contentsOf: job.inputs) }
        let classes = classifier.classCount
        metrics?.observeBatch(model: modelLabel, images: images)
        do {
            let probabilities = try classifier.probabilities(inputs: inputs, count: images)
            var offset = 0
            for job in jobs {
                let rows = Array(probabilities[(offset * classes)..<((offset + job.count) * classes)])
                offset += job.count
                job.continuation.resume(
                    returning: .success(
                        Answer(
                            probabilities: rows, queueSeconds: Double(started - job.enqueued) / 1e9,
                            batchImages: images)))
            }
        } catch {
            for job in jobs { job.continuation.resume(returning: .failure(.badRequest("\(error)"))) }
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
