import Foundation
import Inference
import Testing
import _TestSupport

@testable import Serving

/// Dynamic batching: requests that arrive together share one forward pass and get the numbers
/// each would get alone; a full queue and a timeout are answered 503.
@Suite(.timeLimit(.minutes(10))) struct BatcherTests {
    @Test func concurrentRequestsShareOneForwardPassWithTheSameNumbers() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try ServingFixtures.modelFile(in: temp)
        let classifier = try Classifier(contentsOf: url)
        // A long delay: the batch goes when all twelve are in (no other request on its way).
        let batcher = Batcher(
            classifier: classifier,
            limits: .init(maxBatchSize: 32, maxDelay: .seconds(20), maxQueue: 64, timeout: .seconds(30)))
        defer { batcher.stop() }
        let sizes = [1, 3, 2, 1, 4, 1, 2, 5, 1, 1, 3, 2]
        for _ in sizes { batcher.arrive() }
        let answers = await withTaskGroup(of: (Int, Batcher.Answer?).self) { group in
            var start = 0
            for (index, size) in sizes.enumerated() {
                let from = start
                start += size
                group.addTask {
                    let pixels = Array(images.pixels[(from * 64)..<((from + size) * 64)])
                    let inputs = pixels.map { Float($0) / 255 }
                    let result = await batcher.submit(inputs: inputs, count: size)
                    return (index, try? result.get())
                }
            }
            var answers = [Int: Batcher.Answer]()
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        var start = 0
        for (index, size) in sizes.enumerated() {
            let answer = try #require(answers[index])
            #expect(answer.batchImages == sizes.reduce(0, +))
            let pixels = Array(images.pixels[(start * 64)..<((start + size) * 64)])
            #expect(answer.probabilities == (try classifier.probabilities(pixels: pixels, count: size)))
            start += size
        }
    }

    @Test func aBatchNeverHoldsMoreThanItsLimitUnlessOneRequestDoes() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try ServingFixtures.modelFile(in: temp)
        let classifier = try Classifier(contentsOf: url)
        let batcher = Batcher(
            classifier: classifier,
            limits: .init(maxBatchSize: 4, maxDelay: .seconds(20), maxQueue: 64, timeout: .seconds(30)))
        defer { batcher.stop() }
        let inputs = images.pixels[0..<(6 * 64)].map { Float($0) / 255 }
        // One request larger than the limit runs alone, whole.
        let big = try await batcher.submit(inputs: inputs, count: 6, arrived: false).get()
        #expect(big.batchImages == 6)
        for _ in 0..<3 { batcher.arrive() }
        let sizes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    (try? await batcher.submit(inputs: Array(inputs[0..<(3 * 64)]), count: 3).get())?.batchImages ?? -1
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(sizes.allSatisfy { $0 == 3 })
    }

    @Test func aFullQueueIsRefusedAtOnceAndALongWaitTimesOut() async throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let (url, images) = try ServingFixtures.modelFile(in: temp)
        let classifier = try Classifier(contentsOf: url)
        let batcher = Batcher(
            classifier: classifier,
            limits: .init(maxBatchSize: 32, maxDelay: .seconds(20), maxQueue: 1, timeout: .milliseconds(500)))
        defer { batcher.stop() }
        let inputs = images.pixels[0..<64].map { Float($0) / 255 }
        // Announced requests hold the batch open; the first waits in the queue, the third never comes.
        for _ in 0..<3 { batcher.arrive() }
        defer { batcher.withdraw() }
        async let first = batcher.submit(inputs: inputs, count: 1)
        while batcher.queuedRequests == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let refused = await batcher.submit(inputs: inputs, count: 1)
        guard case .failure(let full) = refused else {
            Issue.record("a full queue took a request")
            return
        }
        #expect(full.status == 503 && full.retryAfter == 1 && full.message.contains("the queue is full"))
        // Nobody else comes; the first request's timeout ends its wait.
        guard case .failure(let late) = await first else {
            Issue.record("the waiting request was answered")
            return
        }
        #expect(late.status == 503 && late.message.contains("longer than its timeout"))
    }
}
