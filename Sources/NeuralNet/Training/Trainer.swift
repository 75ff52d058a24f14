import ClassificationMetrics
import Foundation
import NumericCore

extension TrainingObserver {
    public func trainingStarted(epochs: Int, stepsPerEpoch: Int) {}
    public func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double) {}
    public func epochEnded(_ record: EpochRecord, of epochs: Int) {}
    public func note(_ message: String) {}
    public func shouldStop(after record: EpochRecord) -> Bool { false }
}

/// Mini-batch training of a `Sequential` classifier with the loss `options.loss` names (softmax
/// cross-entropy by default), fused with the model's final activation.
public enum Trainer {
    /// Trains `model` on `data` as `options` say and returns the history. Each epoch visits
    /// the examples in an order shuffled from `options.seed`, so the same seed, model seed
    /// and thread count give bit-identical weights.
    ///
    /// - Throws: `ModelError.diverged` as soon as a batch loss is NaN or infinite;
    ///   `ModelError.invalidOption` for options that cannot work.
    public static func fit(
        _ model: Sequential, on data: some TrainingData, validation: (some TrainingData)? = nil as InMemoryData?,
        options: TrainingOptions, threads: Int = 1, observer: (any TrainingObserver)? = nil
    ) throws(ModelError) -> History {
        try options.validate(hasValidation: validation != nil, imageShape: model.imageShape ?? data.imageShape)
        guard data.featureCount == model.inputSize else {
            throw .shapeMismatch(
                "the model expects \(model.inputSize) input features but the data has \(data.featureCount)")
        }
        guard data.count > 0 else {
            throw .invalidOption(name: "data", reason: "expected at least one example, found none")
        }
        let tagCount = data.tagCount
        if tagCount > 0 {
            guard options.loss == .sigmoidBinaryCrossEntropy else {
                throw .invalidOption(
                    name: "loss",
                    reason:
                        "multi-label data (\(tagCount) tags an example) needs "
                        + LossKind.sigmoidBinaryCrossEntropy.rawValue
                        + ", found \(options.loss.rawValue)")
            }
            guard tagCount == model.outputSize else {
                throw .shapeMismatch("the data has \(tagCount) tags but the model has \(model.outputSize) outputs")
            }
        } else {
            for i in 0..<data.count where data.label(at: i) < 0 || data.label(at: i) >= model.outputSize {
                throw .shapeMismatch(
                    "label \(data.label(at: i)) of example \(i) is outside the model's \(model.outputSize) classes")
            }
        }
        var optimizer = try options.optimizer.makeOptimizer()
        if let weights = options.positiveWeights, weights.count != model.outputSize {
            throw .invalidOption(
                name: "positiveWeights",
                reason: "expected one weight a tag (\(model.outputSize)), found \(weights.count)")
        }
        let loss = options.loss.makeLoss(
            labelSmoothing: options.labelSmoothing, positiveWeights: options.positiveWeights)
        let fused = options.loss.fusedActivation
        let parameters = model.parameters
        // Fine-tuning's first epochs train only the head: the last dense layer and what follows it.
        let frozenEpochs = options.frozenEpochs ?? 0
        let headStart = model.layers.lastIndex { $0.specification.kind == .dense } ?? 0
        let head = model.layers[headStart...].flatMap(\.parameters)
        let decaying = parameters.filter(\.decays)
        let batchSize = min(options.batchSize, data.count)
        let stepsPerEpoch = (data.count + batchSize - 1) / batchSize
        let totalSteps = stepsPerEpoch * options.epochs
        let input = Matrix(rows: batchSize, columns: data.featureCount)
        var labels = [Int32](repeating: 0, count: batchSize)
        var tags = [Float](repeating: 0, count: batchSize * tagCount)
        var order = Array(0..<data.count)
        var generator = SeededGenerator(seed: options.seed)
        // Augmentation draws from its own stream, so it leaves the shuffles as they were.
        var augmentationGenerator = SeededGenerator(seed: options.seed ^ 0x5DEE_CE66_D1A4_F681)
        let augmentation = options.augmentation.flatMap { $0.isIdentity ? nil : $0 }
        let imageShape = (model.imageShape ?? data.imageShape)?.dimensions
        if augmentation != nil, imageShape == nil || imageShape?.reduce(1, *) != data.featureCount {
            throw .invalidOption(
                name: "augmentation", reason: "needs images; the training data has \(data.featureCount) plain features")
        }
        if options.flipAveraging, model.inputShape.count != 3 {
            throw .invalidOption(
                name: "flipAveraging",
                reason:
                    "needs a model of images (an input shape of height, width and channels); this model takes "
                    + "\(model.inputSize) plain features"
            )
        }
        let average = options.ema.map { WeightAverage(model: model, decay: $0) }
        var plateau = options.reduceOnPlateau.map(PlateauTracker.init)
        var history = History()
        var stopping = EarlyStoppingState(rule: options.earlyStopping)
        var best: (value: Double, epoch: Int, weights: [[Float]])?
        let l2 = Float(options.l2)
        var step = 0

        FloatEnvironment.flushDenormalsOnThisThread()
        Compute.setThreads(threads)
        let runner = Compute.runner
        observer?.trainingStarted(epochs: options.epochs, stepsPerEpoch: stepsPerEpoch)
        if options.flipAveraging, (augmentation?.flipProbability ?? 0) == 0 {
            // Measured: cnn-small's validation accuracy fell from 0.930 to 0.897 this way.
            observer?.note(
                "flip averaging without mirror images in training: a model that never saw a mirrored image "
                    + "(Fashion-MNIST's shoes all point one way) usually does worse on them; add --flip 0.5")
        }
        for epoch in 1...options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            // Every layer trains from here on, from fresh optimizer state (the head's moments were
            // gathered while the rest stood still).
            if frozenEpochs > 0, epoch == frozenEpochs + 1 { optimizer = try options.optimizer.makeOptimizer() }
            let stepped = epoch <= frozenEpochs ? head : parameters
            if options.shuffle { order.seededShuffle(using: &generator) }
            var lossSum: Double = 0
            var correct = 0
            var seen = 0
            var rate = 0.0
            for batchIndex in 0..<stepsPerEpoch {
                let lower = batchIndex * batchSize
                let indices = order[lower..<min(lower + batchSize, data.count)]
                input.resize(rows: indices.count, columns: data.featureCount)
                let buffer = input.buffer
                let features = data.featureCount
                runner.forEachRange(count: indices.count, minimumPerPart: 8) { rows in
                    let part = UnsafeMutableBufferPointer(
                        rebasing: buffer[(rows.lowerBound * features)..<(rows.upperBound * features)])
                    data.fillBatch(
                        indices: indices[
                            (indices.startIndex + rows.lowerBound)..<(indices.startIndex + rows.upperBound)], into: part
                    )
                }
                for (row, index) in indices.enumerated() { labels[row] = Int32(data.label(at: index)) }
                if tagCount > 0 { tags.withUnsafeMutableBufferPointer { data.fillTags(indices: indices, into: $0) } }
                if let augmentation, let imageShape {
                    augmentation.apply(
                        to: input, shape: imageShape, generator: &augmentationGenerator, runner: runner)
                }

                let logits = model.logits(input, training: true, fusing: fused)
                let result = withTargets(labels, tags, rows: indices.count, tagCount: tagCount) {
                    loss.evaluate(logits: logits, targets: $0, computeGradient: true)
                }
                var batchLoss = result.loss
                if l2 > 0 { batchLoss += l2 * decaying.reduce(0) { $0 + sumOfSquares($1.value) } }
                guard batchLoss.isFinite else { throw .diverged(epoch: epoch, step: batchIndex + 1, loss: batchLoss) }
                model.backward(fromLogits: loss.gradient, fusing: fused)
                if l2 > 0 {
                    for parameter in decaying {
                        let w = parameter.value.pointer
                        let g = parameter.gradient.pointer
                        for i in 0..<parameter.value.count { g[i] += 2 * l2 * w[i] }
                    }
                }
                rate =
                    options.schedule.rate(
                        base: options.optimizer.learningRate, step: step, stepsPerEpoch: stepsPerEpoch,
                        totalSteps: totalSteps)
                    * (plateau?.multiplier ?? 1)
                optimizer.learningRate = Float(rate)
                optimizer.step(stepped)
                average?.update(step: step)
                step += 1
                lossSum += Double(batchLoss) * Double(indices.count)
                correct += result.correct
                seen += indices.count
                observer?.batchEnded(
                    epoch: epoch, step: batchIndex + 1, stepsPerEpoch: stepsPerEpoch,
                    loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
            }
            var record = EpochRecord(
                epoch: epoch,
                metrics: [
                    EpochRecord.Name.loss: lossSum / Double(seen),
                    EpochRecord.Name.accuracy: Double(correct) / Double(seen),
                ],
                learningRate: rate, seconds: 0)
            // With a weight average, the epoch's weights are the averaged ones: validation,
            // best-epoch keeping and early stopping see them, and training goes on from the
            // live weights unless this is the last epoch.
            var live: [[Float]]?
            if let average {
                live = model.snapshot()
                model.restore(average.averages)
            }
            if let validation {
                let scores = evaluate(
                    model, on: validation, loss: options.loss, labelSmoothing: options.labelSmoothing,
                    flipAveraging: options.flipAveraging, positiveWeights: options.positiveWeights)
                record.metrics[EpochRecord.Name.validationLoss] = scores.loss
                record.metrics[EpochRecord.Name.validationAccuracy] = scores.accuracy
                if let map = scores.meanAveragePrecision {
                    record.metrics[EpochRecord.Name.validationMeanAveragePrecision] = map
                }
            }
            record.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            history.epochs.append(record)
            observer?.epochEnded(record, of: options.epochs)

            if let monitor = options.keepBest, let value = monitor.value(in: record),
                best == nil || monitor.isImprovement(value, over: best!.value, minDelta: 0)
            {
                best = (value, epoch, model.snapshot())
            }
            if let rule = options.reduceOnPlateau, let value = rule.monitor.value(in: record),
                plateau?.record(value, currentRate: rate) == true
            {
                observer?.note(
                    "epoch \(epoch): \(rule.monitor.rawValue) has not improved for \(rule.patience) epochs; learning "
                        + "rate reduced to \(rate * rule.factor)"
                )
            }
            if stopping.shouldStop(after: record, model: model) {
                history.stoppedEarly = true
                if let restored = stopping.restoredEpoch {
                    history.restoredEpoch = restored
                    observer?.note("early stopping after epoch \(epoch); restored the weights of epoch \(restored)")
                } else {
                    observer?.note("early stopping after epoch \(epoch)")
                }
                break
            }
            if observer?.shouldStop(after: record) == true {
                history.stoppedEarly = true
                observer?.note("stopped after epoch \(epoch) by the observer")
                break
            }
            if let live, epoch < options.epochs { model.restore(live) }
        }
        if let best, history.restoredEpoch == nil, best.epoch != history.epochs.last?.epoch {
            model.restore(best.weights)
            history.restoredEpoch = best.epoch
            observer?.note("kept the best epoch by \(options.keepBest!.rawValue): epoch \(best.epoch)")
        }
        return history
    }

    /// Mean loss and accuracy of `model` on `data`, in inference mode; with `flipAveraging`
    /// (models of images), of the mean probabilities of each image and its mirror image. For
    /// multi-label data, accuracy is subset accuracy and the tags' mean average precision is
    /// given too. Batches of 250 by default: the layers keep buffers as large as the largest
    /// batch they saw, and 1,000 images made the reference CNN's 150 MB larger than training's.
    public static func evaluate(
        _ model: Sequential, on data: some TrainingData, loss kind: LossKind = .softmaxCrossEntropy,
        labelSmoothing: Double = 0,
        batchSize: Int = 250, flipAveraging: Bool = false, positiveWeights: [Double]? = nil
    ) -> (loss: Double, accuracy: Double, meanAveragePrecision: Double?) {
        let loss = kind.makeLoss(labelSmoothing: labelSmoothing, positiveWeights: positiveWeights)
        let input = Matrix(rows: batchSize, columns: data.featureCount)
        let mirror = Matrix(rows: 0, columns: 0)
        var labels = [Int32](repeating: 0, count: batchSize)
        let tagCount = data.tagCount
        var tags = [Float](repeating: 0, count: batchSize * tagCount)
        var allTags = [Float]()
        var allLogits = [Float]()
        var total: Double = 0
        var correct = 0
        var lower = 0
        while lower < data.count {
            let indices = Array(lower..<min(lower + batchSize, data.count))[...]
            input.resize(rows: indices.count, columns: data.featureCount)
            data.fillBatch(indices: indices, into: input.buffer)
            for (row, index) in indices.enumerated() { labels[row] = Int32(data.label(at: index)) }
            if tagCount > 0 { tags.withUnsafeMutableBufferPointer { data.fillTags(indices: indices, into: $0) } }
            let logits: Matrix
            if flipAveraging, model.inputShape.count == 3 {
                // The log of the mean probabilities: softmax gives those probabilities back.
                logits = output(of: model, for: input, flipAveraging: true, mirror: mirror)
                if model.ends(in: kind.fusedActivation) {
                    for i in 0..<logits.count {
                        logits.pointer[i] = logf(max(logits.pointer[i], .leastNormalMagnitude))
                    }
                }
            } else {
                logits = model.logits(input, training: false, fusing: kind.fusedActivation)
            }
            let result = withTargets(labels, tags, rows: indices.count, tagCount: tagCount) {
                loss.evaluate(logits: logits, targets: $0, computeGradient: false)
            }
            if tagCount > 0, logits.columns == tagCount {
                // Logits rank the tags as their sigmoid probabilities do.
                allLogits += logits.values
                allTags += tags[0..<(indices.count * tagCount)]
            }
            total += Double(result.loss) * Double(indices.count)
            correct += result.correct
            lower += batchSize
        }
        let map =
            tagCount > 0 && !allTags.isEmpty
            ? MultiLabelMetrics.meanAveragePrecision(truth: allTags, scores: allLogits, tagCount: tagCount) : nil
        return (total / Double(max(1, data.count)), Double(correct) / Double(max(1, data.count)), map)
    }

    /// The targets of a batch of `rows`: classes, and tags when the data has them.
    static func withTargets(
        _ labels: [Int32], _ tags: [Float], rows: Int, tagCount: Int, _ body: (LossTargets) -> LossResult
    ) -> LossResult {
        labels.withUnsafeBufferPointer { classes in
            tags.withUnsafeBufferPointer { tags in
                body(
                    LossTargets(
                        classes: UnsafeBufferPointer(rebasing: classes[0..<rows]),
                        tags: tagCount > 0 ? UnsafeBufferPointer(rebasing: tags[0..<(rows * tagCount)]) : nil))
            }
        }
    }

    /// Class probabilities for every example: `[count, classes]`, row-major; with
    /// `flipAveraging` (models of images), the mean of each image's and its mirror image's.
    public static func predict(
        _ model: Sequential, on data: some TrainingData, batchSize: Int = 1000, flipAveraging: Bool = false
    ) -> [Float] {
        let model = model.inferenceModel()
        var result = [Float]()
        result.reserveCapacity(data.count * model.outputSize)
        let input = Matrix(rows: batchSize, columns: data.featureCount)
        let mirror = Matrix(rows: 0, columns: 0)
        var lower = 0
        while lower < data.count {
            let indices = Array(lower..<min(lower + batchSize, data.count))[...]
            input.resize(rows: indices.count, columns: data.featureCount)
            data.fillBatch(indices: indices, into: input.buffer)
            result.append(
                contentsOf: output(of: model, for: input, flipAveraging: flipAveraging, mirror: mirror).buffer)
            lower += batchSize
        }
        return result
    }

    /// The model's output in inference mode; with `flipAveraging` and a model of images, the
    /// mean of the outputs for the images and for their mirror images (written to `mirror`).
    public static func output(of model: Sequential, for input: Matrix, flipAveraging: Bool, mirror: Matrix) -> Matrix {
        let plain = model(input)
        guard flipAveraging, model.inputShape.count == 3 else { return plain }
        let first = plain.values
        Augmentation.mirror(input, shape: model.inputShape, into: mirror)
        let flipped = model(mirror)
        for i in 0..<flipped.count { flipped.pointer[i] = 0.5 * (first[i] + flipped.pointer[i]) }
        return flipped
    }

    static func sumOfSquares(_ matrix: Matrix) -> Float {
        var sum: Float = 0
        for i in 0..<matrix.count { sum += matrix.pointer[i] * matrix.pointer[i] }
        return sum
    }
}
