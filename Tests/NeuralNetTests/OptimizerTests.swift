import Foundation
import NeuralNet
import NumericCore
import Testing

/// Golden numbers a person can check by hand (one step with round inputs) and short
/// trajectories on f(x) = x², from Scripts/optimizer_reference.py (float64, Keras's formulas).
@Suite(.timeLimit(.minutes(10))) struct OptimizerTests {
    /// Runs `steps` updates of x on f(x) = x² (gradient 2x) from x = 1.
    func trajectory(_ optimizer: any Optimizer, steps: Int, decays: Bool = true) -> [Float] {
        let x = Parameter(name: "x", rows: 1, columns: 1, decays: decays)
        x.value.pointer[0] = 1
        return (0..<steps).map { _ in
            x.gradient.pointer[0] = 2 * x.value.pointer[0]
            optimizer.step([x])
            return x.value.pointer[0]
        }
    }

    func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 2e-6) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= tolerance, "\(a) vs \(e)") }
    }

    @Test func plainSGDStepIsLearningRateTimesGradient() {
        // x = 1, g = 2, lr 0.1: 1 - 0.2 = 0.8, then 0.8 - 0.16 = 0.64.
        expectClose(trajectory(SGD(learningRate: 0.1), steps: 2), [0.8, 0.64])
    }

    @Test func sgdWithMomentum() {
        expectClose(trajectory(SGD(learningRate: 0.1, momentum: 0.9), steps: 5), [0.8, 0.46, 0.062, -0.3086, -0.58042])
    }

    @Test func sgdWithNesterovMomentum() {
        expectClose(
            trajectory(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), steps: 5),
            [0.62, 0.2224, -0.108352, -0.324823, -0.4157176])
    }

    @Test func adamFirstStepMovesByTheLearningRate() {
        // Bias correction makes the first step lr * g / |g| (up to epsilon): 1 - 0.1.
        expectClose(trajectory(Adam(learningRate: 0.1), steps: 1), [0.9000002])
    }

    @Test func adamTrajectory() {
        expectClose(
            trajectory(Adam(learningRate: 0.1), steps: 10),
            [
                0.9000002, 0.8004125, 0.7015866, 0.6039395, 0.5079642, 0.4142371, 0.3234214, 0.2362644, 0.1535853,
                0.0762499,
            ],
            tolerance: 1e-5)
    }

    @Test func adamWDecaysWeightsButNotBiases() {
        expectClose(
            trajectory(Adam(learningRate: 0.1, weightDecay: 0.4), steps: 3), [0.8600002, 0.7262737, 0.5991458],
            tolerance: 1e-5)
        expectClose(trajectory(Adam(learningRate: 0.1, weightDecay: 0.4), steps: 1, decays: false), [0.9000002])
    }

    @Test func rmsprop() {
        // One step by hand: v = 0.1 * 4 = 0.4, x = 1 - 0.01 * 2 / sqrt(0.4) = 0.9683772.
        expectClose(
            trajectory(RMSprop(learningRate: 0.01), steps: 5), [0.9683772, 0.945788, 0.9270531, 0.9105435, 0.8955067])
        expectClose(
            trajectory(RMSprop(learningRate: 0.01, momentum: 0.5), steps: 5),
            [0.9683772, 0.9299766, 0.8922465, 0.8572598, 0.8252589])
    }

    @Test func specificationsBuildWithKerasDefaults() throws {
        let adam = try OptimizerSpecification(kind: .adam).makeOptimizer() as? Adam
        #expect(adam?.learningRate == 0.001 && adam?.beta1 == 0.9 && adam?.beta2 == 0.999 && adam?.epsilon == 1e-7)
        let adamw = try OptimizerSpecification(kind: .adamw).makeOptimizer() as? Adam
        #expect(adamw?.weightDecay == 0.004)
        #expect(try OptimizerSpecification(kind: .sgd).makeOptimizer().learningRate == 0.01)
        #expect(throws: ModelError.self) { try OptimizerSpecification(kind: .adam, learningRate: -1).makeOptimizer() }
    }
}

@Suite(.timeLimit(.minutes(10))) struct ScheduleTests {
    let base = 0.1

    @Test func constantAndStep() {
        #expect(LearningRateSchedule.constant.rate(base: base, step: 999, stepsPerEpoch: 10, totalSteps: 1000) == base)
        let step = LearningRateSchedule(kind: .step, factor: 0.5, every: 2)
        #expect(step.rate(base: base, step: 19, stepsPerEpoch: 10, totalSteps: 100) == 0.1)  // epoch 2 still
        #expect(step.rate(base: base, step: 20, stepsPerEpoch: 10, totalSteps: 100) == 0.05)
        #expect(step.rate(base: base, step: 40, stepsPerEpoch: 10, totalSteps: 100) == 0.025)
    }

    @Test func exponentialDecaysByTheFactorEachEpoch() {
        let schedule = LearningRateSchedule(kind: .exponential, factor: 0.5)
        #expect(abs(schedule.rate(base: base, step: 10, stepsPerEpoch: 10, totalSteps: 100) - 0.05) < 1e-12)
        #expect(
            abs(schedule.rate(base: base, step: 15, stepsPerEpoch: 10, totalSteps: 100) - 0.1 * pow(0.5, 1.5)) < 1e-12)
    }

    @Test func cosineWarmsUpThenHalvesAtTheMidpoint() {
        let schedule = LearningRateSchedule(kind: .cosine, warmupEpochs: 1)
        // 5/10 of warm-up
        #expect(abs(schedule.rate(base: base, step: 4, stepsPerEpoch: 10, totalSteps: 110) - 0.05) < 1e-12)
        #expect(abs(schedule.rate(base: base, step: 10, stepsPerEpoch: 10, totalSteps: 110) - 0.1) < 1e-12)
        #expect(abs(schedule.rate(base: base, step: 60, stepsPerEpoch: 10, totalSteps: 110) - 0.05) < 1e-12)
        #expect(schedule.rate(base: base, step: 110, stepsPerEpoch: 10, totalSteps: 110) < 1e-12)
    }

    @Test func oneCycleRisesToThePeakAndFallsFarBelowTheStart() {
        let schedule = LearningRateSchedule(kind: .oneCycle)
        let rates = (0..<100).map { schedule.rate(base: base, step: $0, stepsPerEpoch: 10, totalSteps: 100) }
        #expect(abs(rates[0] - base / 25) < 1e-12)
        #expect(abs(rates.max()! - base) < 1e-12)
        #expect(rates.firstIndex(of: rates.max()!) == 29)
        #expect(abs(rates[99] - base / 25 / 1e4) < 1e-12)
    }

    @Test func plateauReducesAfterPatienceAndWaitsForCooldown() {
        var tracker = PlateauTracker(
            rule: ReduceOnPlateau(monitor: .validationLoss, factor: 0.5, patience: 2, cooldown: 1))
        let losses = [1.0, 0.9, 0.95, 0.93, 0.94, 0.96, 0.97]
        var reductions = [Int]()
        var rate = 0.1
        for (epoch, loss) in losses.enumerated() where tracker.record(loss, currentRate: rate) {
            reductions.append(epoch)
            rate = 0.1 * tracker.multiplier
        }
        #expect(reductions == [3, 5])  // as Keras: the cooldown epoch resets the wait
        #expect(abs(tracker.multiplier - 0.25) < 1e-12)
    }
}
