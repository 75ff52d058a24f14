import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// Three Gaussian blobs in 8 dimensions: separable, so a small network must fit them.
func blobs(count: Int, seed: UInt64, spread: Float = 0.3) -> InMemoryData {
    var generator = SeededGenerator(seed: seed)
    var features = [Float]()
    var labels = [Int]()
    for i in 0..<count {
        let label = i % 3
        for j in 0..<8 { features.append((j % 3 == label ? 1 : 0) + spread * generator.nextNormal()) }
        labels.append(label)
    }
    return InMemoryData(features: features, labels: labels, featureCount: 8)
}

func smallModel(seed: UInt64) throws -> Sequential {
    try Sequential(inputSize: 8, seed: seed) {
        Dense(units: 16)
        ReLU()
        Dense(units: 3)
        Softmax()
    }
}

@Suite(.timeLimit(.minutes(10))) struct TrainingTests {
    @Test func sameSeedsGiveBitIdenticalWeights() throws {
        let data = blobs(count: 200, seed: 1)
        let options = TrainingOptions(epochs: 3, batchSize: 16, seed: 7)
        let a = try smallModel(seed: 5)
        let b = try smallModel(seed: 5)
        let c = try smallModel(seed: 6)
        _ = try Trainer.fit(a, on: data, options: options)
        _ = try Trainer.fit(b, on: data, options: options)
        _ = try Trainer.fit(c, on: data, options: options)
        let bits = { (m: Sequential) in m.snapshot().flatMap { $0.map(\.bitPattern) } }
        #expect(bits(a) == bits(b))
        #expect(bits(a) != bits(c))
    }

    @Test func overfitsATinySet() throws {
        let data = blobs(count: 30, seed: 2, spread: 1.0)
        let model = try Sequential(inputSize: 8, seed: 1) {
            Dense(units: 64)
            Tanh()
            Dense(units: 3)
            Softmax()
        }
        let history = try Trainer.fit(
            model, on: data,
            options: TrainingOptions(epochs: 300, batchSize: 30, optimizer: .init(kind: .adam, learningRate: 0.01)))
        #expect(history.epochs.last!.accuracy == 1)
        #expect(history.epochs.last!.loss < 0.05)
    }

    @Test(arguments: OptimizerSpecification.Kind.allCases)
    func everyOptimizerLearnsTheBlobs(kind: OptimizerSpecification.Kind) throws {
        let model = try smallModel(seed: 3)
        let history = try Trainer.fit(
            model, on: blobs(count: 300, seed: 4), validation: blobs(count: 90, seed: 5),
            options: TrainingOptions(
                epochs: 10,
                optimizer: .init(
                    kind: kind, learningRate: kind == .sgd ? 0.05 : 0.01, momentum: kind == .sgd ? 0.9 : nil)))
        #expect(history.epochs.last!.validationAccuracy! > 0.95, "\(kind)")
    }

    @Test func everyLayerKindTrainsInOneNetwork() throws {
        let model = try Sequential(inputSize: 8, seed: 9) {
            Flatten()
            Dense(units: 16, initializer: .heNormal)
            BatchNorm()
            LeakyReLU(alpha: 0.1)
            Dense(units: 16, initializer: .glorotNormal)
            ELU()
            Dropout(rate: 0.2)
            Dense(units: 16, initializer: .heUniform)
            GELU()
            Sigmoid()
            Dense(units: 3)
            Softmax()
        }
        let options = TrainingOptions(epochs: 15, schedule: .init(kind: .oneCycle), labelSmoothing: 0.1, l2: 1e-4)
        let history = try Trainer.fit(
            model, on: blobs(count: 300, seed: 6), validation: blobs(count: 90, seed: 7), options: options)
        #expect(history.epochs.last!.validationAccuracy! > 0.9)
    }

    @Test func earlyStoppingStopsAndRestoresTheBestEpoch() throws {
        // A rate so high that the validation loss soon stops improving.
        let model = try smallModel(seed: 1)
        let options = TrainingOptions(
            epochs: 40, optimizer: .init(kind: .sgd, learningRate: 3),
            earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 2))
        let history = try Trainer.fit(
            model, on: blobs(count: 90, seed: 1, spread: 1.5), validation: blobs(count: 60, seed: 2, spread: 1.5),
            options: options)
        #expect(history.stoppedEarly)
        #expect(history.epochs.count < 40)
        let losses = history.epochs.map { $0.validationLoss! }
        let bestEpoch = history.epochs[losses.firstIndex(of: losses.min()!)!].epoch
        #expect(history.restoredEpoch == bestEpoch)
        #expect(history.epochs.count == bestEpoch + 2)
    }

    @Test func divergenceIsReportedWithEpochAndStep() throws {
        let model = try smallModel(seed: 1)
        var data = blobs(count: 64, seed: 1)
        data = InMemoryData(features: data.features.map { $0 * 1e30 }, labels: data.labels, featureCount: 8)
        let error = #expect(throws: ModelError.self) {
            try Trainer.fit(
                model, on: data, options: TrainingOptions(epochs: 3, optimizer: .init(kind: .sgd, learningRate: 10)))
        }
        guard case .diverged(let epoch, let step, _)? = error else {
            Issue.record("expected divergence, got \(String(describing: error))")
            return
        }
        // Epoch 1 with the vector kernels; the baseline's products (no fused multiply-add) overflow a step later.
        #expect((1...2).contains(epoch) && step >= 1)
        #expect(error!.description.hasPrefix("training diverged at epoch \(epoch), step \(step)"))
    }

    @Test func monitorsNeedingValidationAreRejectedWithoutIt() throws {
        let error = #expect(throws: ModelError.self) {
            try Trainer.fit(
                try smallModel(seed: 1), on: blobs(count: 30, seed: 1),
                options: TrainingOptions(earlyStopping: EarlyStopping()))
        }
        #expect(error?.description == "monitor: val_loss needs validation data; give a validation split")
    }

    @Test func augmentationMustFitTheImages() throws {
        var options = TrainingOptions(augmentation: Augmentation(cropPadding: 1000))
        let error = #expect(throws: ModelError.self) {
            try options.validate(hasValidation: false, imageShape: ImageShape(height: 28, width: 28))
        }
        #expect(
            error?.description
                == "augmentation.cropPadding: expected fewer pixels than the image's side (28), found 1000")
        options.augmentation = Augmentation(cropPadding: 4)
        try options.validate(hasValidation: false, imageShape: ImageShape(height: 28, width: 28))
    }

    @Test func epochsOfTheFixedFieldsStillDecode() throws {
        // A history.json written before metrics had names.
        let old =
            #"{"epoch": 2, "loss": 0.4, "accuracy": 0.85, "validationLoss": 0.45, "learningRate": 0.001,"#
            + #" "seconds": 0.2}"#
        let record = try JSONDecoder().decode(EpochRecord.self, from: Data(old.utf8))
        #expect(record.metrics == ["loss": 0.4, "accuracy": 0.85, "val_loss": 0.45])
        #expect(record.validationAccuracy == nil && record.validationLoss == 0.45 && record.epoch == 2)
        let again = try JSONDecoder().decode(EpochRecord.self, from: JSONEncoder().encode(record))
        #expect(again == record)
    }

    @Test func monitorsAreMetricsByNameAndUnknownNamesAreRefused() throws {
        let unknown = #expect(throws: ModelError.self) {
            try TrainingOptions(keepBest: Monitor("val_f1")).validate(hasValidation: true)
        }
        #expect(
            unknown?.description
                == "monitor: expected one of loss, accuracy, val_loss, val_accuracy (the metrics of "
                + "softmax_cross_entropy); found 'val_f1'"
        )
        #expect(!Monitor.validationLoss.higherIsBetter && Monitor.validationAccuracy.higherIsBetter)
        #expect(
            !Monitor("hamming_loss").higherIsBetter && Monitor("val_f1").higherIsBetter
                && Monitor("val_f1").needsValidation)
        // Stored as the bare name, as files written before the names were open say it.
        #expect(
            String(decoding: try JSONEncoder().encode(Monitor.validationAccuracy), as: UTF8.self) == #""val_accuracy""#)
        let early = try JSONDecoder().decode(
            EarlyStopping.self,
            from: Data(#"{"monitor": "val_accuracy", "patience": 2, "minDelta": 0, "restoreBestWeights": true}"#.utf8))
        #expect(early.monitor == .validationAccuracy)
    }

    @Test func summaryCountsParametersAsKeras() throws {
        let model = try Sequential(specification: Preset.named("model3")!.model, seed: 0)
        #expect(model.parameterCount == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10)
        #expect(model.summary.contains("Total params: 109386"))
        #expect(model.summary.contains("0 Dense(128)    (None, 128)     100480"))
    }

    @Test func compactSpecsParseAndBadOnesAreExplained() throws {
        let spec = try ModelSpecification.parse(compact: "784-128-64-10")
        #expect(spec.layers.map(\.kind) == [.dense, .relu, .dense, .relu, .dense, .softmax])
        #expect(spec.compact == "784-128-64-10")
        let error = #expect(throws: ModelError.self) { try ModelSpecification.parse(compact: "784-x-10") }
        #expect(error?.description.contains("such as 784-128-64-10; found '784-x-10'") == true)
    }

    @Test func glorotUniformStaysWithinItsLimit() throws {
        let dense = Dense(units: 64)
        var generator = SeededGenerator(seed: 1)
        _ = try dense.build(inputShape: [784], generator: &generator)
        let limit = Float(6.0 / Double(784 + 64)).squareRoot()
        let values = dense.kernel.value.values
        #expect(values.allSatisfy { abs($0) <= limit })
        #expect(values.map(abs).max()! > 0.95 * limit)
        #expect(dense.bias.value.values.allSatisfy { $0 == 0 })
    }
}

@Suite(.timeLimit(.minutes(10))) struct ThreadInvarianceTests {
    /// Large enough that the products, Adam and batch loading are split between threads.
    @Test func oneAndTwoThreadsGiveBitIdenticalWeights() throws {
        var generator = SeededGenerator(seed: 3)
        let features = (0..<(256 * 300)).map { _ in generator.nextUnitFloat() }
        let data = InMemoryData(features: features, labels: (0..<300).map { $0 % 4 }, featureCount: 256)
        func train(threads: Int) throws -> [UInt32] {
            let model = try Sequential(specification: .dense([256, 300, 128, 4]), seed: 1)
            _ = try Trainer.fit(model, on: data, options: TrainingOptions(epochs: 2, batchSize: 64), threads: threads)
            return model.snapshot().flatMap { $0.map(\.bitPattern) }
        }
        #expect(try train(threads: 1) == train(threads: 2))
    }

    /// Convolutions whose weight gradients sum over more than 1,024 positions (the products
    /// add in blocks of 512 then) and are split between threads by rows.
    @Test func convolutionsGiveBitIdenticalWeightsOnOneAndTwoThreads() throws {
        var generator = SeededGenerator(seed: 4)
        let features = (0..<(144 * 128)).map { _ in generator.nextUnitFloat() }
        let data = InMemoryData(features: features, labels: (0..<128).map { $0 % 4 }, featureCount: 144)
        func train(threads: Int) throws -> [UInt32] {
            let model = try Sequential(inputShape: [12, 12, 1], seed: 2) {
                Conv2D(filters: 8, kernelSize: 3, padding: .same)
                ReLU()
                Conv2D(filters: 64, kernelSize: 3, padding: .same)
                Flatten()
                Dense(units: 4)
                Softmax()
            }
            _ = try Trainer.fit(model, on: data, options: TrainingOptions(epochs: 1, batchSize: 64), threads: threads)
            return model.snapshot().flatMap { $0.map(\.bitPattern) }
        }
        #expect(try train(threads: 1) == train(threads: 2))
    }
}
