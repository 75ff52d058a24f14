import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore
import RunStore
import Studies
import Synchronization
import Tuning
import _SQLiteStore

// fashion-bench: throughput measurements, run by `make bench` beside the Python peers.
// Prints one line per measurement: `name <tab> median seconds <tab> runs`.

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func time(_ runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var times = [Double]()
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times
}

let arguments = CommandLine.arguments.dropFirst()
let which = arguments.first ?? "load"
let runs = 7
do {
    switch which {
    case "load":
        let location = try DatasetLocator.locate()
        guard case .idx(let trainImages, let trainLabels, _, _) = location.layout else {
            throw DataError.invalidArgument(name: "load", reason: "the benchmark needs the IDX files")
        }
        let train = try time(runs) { _ = try IDX.read(images: trainImages, labels: trainLabels) }
        print("load-train\t\(median(train))\t\(runs)")
        let all = try time(runs) { _ = try Dataset.load(from: location) }
        print("load-all\t\(median(all))\t\(runs)")
    case "gemm", "gemm-cnn":
        let threads = Int(arguments.dropFirst().first ?? "1") ?? 1
        Compute.setThreads(threads)
        MatrixProduct.setBLASThreads(threads)
        print("kernels: \(MatrixProduct.kernelLevel), \(threads) thread(s); OpenBLAS on \(threads) thread(s) too")
        // The products of one training step, each timed alone: the reference CNN's at batch 64
        // (patch matrices of im2col), or Model 3's at batch 32.
        let cnn: [(String, Bool, Bool, Int, Int, Int)] = [
            ("conv1 fwd 43264x9.9x32", false, false, 43264, 32, 9),
            ("conv1 dW 9x43264.43264x32", true, false, 9, 32, 43264),
            ("conv2 fwd 7744x288.288x64", false, false, 7744, 64, 288),
            ("conv2 dW 288x7744.7744x64", true, false, 288, 64, 7744),
            ("conv2 dX 7744x64.64x288", false, true, 7744, 288, 64),
            // Winograd's 16 products a group of images (5 forward, 2 backward: the 25 tiles of
            // the pooling's windows each).
            ("wino fwd 125x32.32x64", false, false, 125, 64, 32),
            ("wino dU 32x50.50x64", true, false, 32, 64, 50),
            ("wino dV 50x64.64x32", false, false, 50, 32, 64),
            ("dense1 fwd 64x1600.1600x128", false, false, 64, 128, 1600),
            ("dense1 dW 1600x64.64x128", true, false, 1600, 128, 64),
            ("dense1 dX 64x128.128x1600", false, true, 64, 1600, 128),
        ]
        let shapes: [(String, Bool, Bool, Int, Int, Int)] =
            which == "gemm-cnn"
            ? cnn
            : [
                ("fwd1 32x784.784x128", false, false, 32, 128, 784), ("dW1 784x32.32x128", true, false, 784, 128, 32),
                ("fwd2 32x128.128x64", false, false, 32, 64, 128), ("dW2", true, false, 128, 64, 32),
                ("dX2", false, true, 32, 128, 64),
                ("fwd3 32x64.64x10", false, false, 32, 10, 64), ("dW3", true, false, 64, 10, 32),
                ("dX3", false, true, 32, 64, 10),
                ("m1 fwd1 32x784.784x64", false, false, 32, 64, 784), ("m1 dW1 784x32.32x64", true, false, 784, 64, 32),
            ]
        for (name, ta, tb, m, n, k) in shapes {
            // Matrices as training allocates them (64-byte aligned).
            let a = Matrix(rows: m, columns: k, repeating: 0.5)
            let b = Matrix(rows: k, columns: n, repeating: 0.25)
            let c = Matrix(rows: m, columns: n)
            for backend in MatrixProduct.Backend.compared {
                let reps = max(3, 2_000_000_000 / max(1, m * n * k * 2) / 20)
                let t = time(5) {
                    for _ in 0..<reps {
                        MatrixProduct.multiply(
                            backend: backend, transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.pointer,
                            lda: ta ? m : k,
                            b: b.pointer, ldb: tb ? k : n, c: c.pointer, ldc: n)
                    }
                }
                let seconds = median(t) / Double(reps)
                let rate = String(format: "%.1f GFLOP/s", 2 * Double(m * n * k) / seconds / 1e9)
                print("gemm \(name) \(backend)\t\(seconds)\t\(rate)")
            }
        }
    case "peak":
        // The multiply-add ceiling of one core and of all cores at once, at the kernels' width.
        // A neighbour on the machine can only lower a round, so each is the best of 7 rounds, and
        // all cores together should be about their number times one: a lower ratio is reported.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var best = [Int: Double]()
        for threads in [1, cores] {
            for _ in 0..<7 {
                // One dedicated thread each, all timed together: total operations over the wall time.
                let done = DispatchSemaphore(value: 0)
                let operations = Mutex(0.0)
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<threads {
                    Thread {
                        let count = Kernels.fmaOperations(iterations: 50_000_000)
                        operations.withLock { $0 += count }
                        done.signal()
                    }.start()
                }
                for _ in 0..<threads { done.wait() }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best[threads] = max(best[threads] ?? 0, operations.withLock { $0 } / seconds / 1e9)
            }
            print("peak-\(threads)t\t\(best[threads]!)\t\(MatrixProduct.kernelLevel)")
        }
        let scaling = best[cores]! / best[1]!
        if cores > 1, scaling < 0.9 * Double(cores) {
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "peak: %d threads gave %.2fx one thread, not about %dx: the cores were busy; "
                            + "measure again when the machine is quiet\n", cores, scaling, cores
                    ).utf8))
        }
    case "train", "train-augmented":
        // train PRESET THREADS EPOCHS: median seconds per epoch on the full training set.
        // train-augmented: the same with random crop (2 pixels), flip (0.5) and erasing (0.25).
        let rest = Array(arguments.dropFirst())
        guard rest.count == 3, let preset = Preset.named(rest[0]), let threads = Int(rest[1]), let epochs = Int(rest[2])
        else {
            print("usage: fashion-bench train model1|model2|model3|cnn-reference THREADS EPOCHS")
            exit(2)
        }
        let dataset = try Dataset.load(from: DatasetLocator.locate())
        let model = try Sequential(specification: preset.model, seed: 1)
        var options = preset.options
        options.epochs = epochs
        if which == "train-augmented" {
            options.augmentation = Augmentation(cropPadding: 2, flipProbability: 0.5, erasingProbability: 0.25)
        }
        let history = try Trainer.fit(model, on: dataset.train, options: options, threads: threads)
        let accuracy = Trainer.evaluate(model, on: dataset.test).accuracy
        FileHandle.standardError.write(
            Data((history.epochs.map { String(format: "%.2f", $0.seconds) }.joined(separator: " ") + "\n").utf8))
        print(
            "\(which)-\(preset.name)-\(threads)t\t\(median(history.epochs.map(\.seconds)))\t\(epochs)\taccuracy "
                + "\(accuracy)"
        )
    case "infer-model":
        // infer-model PRESET FILE: an untrained model file of the preset, for infer and its ONNX export.
        let rest = Array(arguments.dropFirst())
        guard rest.count == 2, let preset = Preset.named(rest[0]) else {
            print("usage: fashion-bench infer-model PRESET FILE.safetensors")
            exit(2)
        }
        try InferBench.writeModel(preset: preset, to: URL(fileURLWithPath: rest[1]))
    case "infer":
        // infer FILE BATCH THREADS [SECONDS]: images a second of the forward pass (Classifier, no
        // flip averaging), the median of 5 rounds of SECONDS (1) each.
        let rest = Array(arguments.dropFirst())
        guard rest.count >= 3, let batch = Int(rest[1]), batch > 0, let threads = Int(rest[2]), threads > 0,
            let seconds = rest.count > 3 ? Double(rest[3]) : 1.0
        else {
            print("usage: fashion-bench infer FILE.safetensors BATCH THREADS [SECONDS]")
            exit(2)
        }
        let classifier = try Classifier(contentsOf: URL(fileURLWithPath: rest[0]), flipAveraging: false)
        let rate = try InferBench.throughput(
            classifier: classifier, size: classifier.inputSize, batch: batch, threads: threads, seconds: seconds,
            rounds: 5)
        print(String(format: "fashion\tbatch %d\t%d thread(s)\t%.1f images/s", batch, threads, rate))
    case "infer-latency":
        // infer-latency FILE CALLS: one image a call on one thread; p50 and p99 in microseconds.
        let rest = Array(arguments.dropFirst())
        guard rest.count == 2, let calls = Int(rest[1]), calls > 0 else {
            print("usage: fashion-bench infer-latency FILE.safetensors CALLS")
            exit(2)
        }
        let classifier = try Classifier(contentsOf: URL(fileURLWithPath: rest[0]), flipAveraging: false)
        let times = try InferBench.latencies(classifier: classifier, size: classifier.inputSize, calls: calls)
        print(
            String(
                format: "fashion\tlatency\tp50 %.1f us\tp99 %.1f us", InferBench.percentile(times, 0.5),
                InferBench.percentile(times, 0.99)))
    case "augment":
        // augment: seconds to augment one epoch's batches (60,000 images, batch 64) on one thread.
        let augmentation = Augmentation(cropPadding: 2, flipProbability: 0.5, erasingProbability: 0.25)
        let batch = Matrix(rows: 64, columns: 784, repeating: 0.5)
        var generator = SeededGenerator(seed: 1)
        let times = time(5) {
            for _ in 0..<938 { augmentation.apply(to: batch, shape: [28, 28, 1], generator: &generator) }
        }
        print("augment-epoch\t\(median(times))\t938 batches of 64")
    case "folders":
        // folders DIR: seconds to load an image-folder dataset, first (no cache) and from the
        // decode cache, on the machine's cores; the best of 3 each.
        guard let folder = arguments.dropFirst().first else {
            print("usage: fashion-bench folders DIR")
            exit(2)
        }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("fashion-bench-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: cache) }
        let location = try DatasetLocator.locate(explicit: URL(fileURLWithPath: folder))
        var options = ImageFolder.Options()
        options.cacheFolder = cache
        var images = 0
        let first = time(3) {
            try? FileManager.default.removeItem(at: cache)
            images = (try? Dataset.load(from: location, folders: options)).map { $0.train.count + $0.test.count } ?? -1
        }
        let cached = time(3) { _ = try? Dataset.load(from: location, folders: options) }
        print("folders-first\t\(first.min()!)\t\(images) images")
        print("folders-cached\t\(cached.min()!)\t\(images) images")
    case "explain-checks":
        guard let model = arguments.dropFirst().first else {
            print("usage: fashion-bench explain-checks MODEL [IMAGES]")
            exit(2)
        }
        try ExplainChecks.run(modelPath: model, count: arguments.dropFirst(2).first.flatMap { Int($0) } ?? 500)
    case "outfit-oracle":
        guard arguments.count == 3 else {
            print("usage: fashion-bench outfit-oracle MODEL OUTFITS_DIR")
            exit(2)
        }
        try OutfitOracle.run(modelPath: Array(arguments)[1], folder: Array(arguments)[2])
    case "tune-compare":
        // tune-compare SPACE REPETITIONS TRIALS EPOCHS: TPE against random search, same budget,
        // same seed per repetition (so the same validation split and initial weights); prints
        // each search's best validation accuracy and the medians. The test set is never used.
        let rest = Array(arguments.dropFirst())
        guard rest.count == 4, let repetitions = Int(rest[1]), let trials = Int(rest[2]), let epochs = Int(rest[3])
        else {
            print("usage: fashion-bench tune-compare SPACE REPETITIONS TRIALS EPOCHS")
            exit(2)
        }
        var space = try SearchSpace.read(from: URL(fileURLWithPath: rest[0]))
        space.parameters = space.parameters.map { p in
            p.name == "epochs" ? SearchParameter(name: "epochs", value: .number(Double(epochs))) : p
        }
        let dataset = try Dataset.load(from: DatasetLocator.locate())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fashion-tune-compare-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        var best: [SamplerKind: [Double]] = [:]
        print("repetition\tsampler\tbest val_accuracy\tcomplete\tpruned\tseconds")
        for repetition in 1...repetitions {
            for sampler in [SamplerKind.tpe, .random] {
                let store = try SQLiteRunStore(
                    url: folder.appendingPathComponent("\(sampler.rawValue)-\(repetition).sqlite"))
                // The space's pruner, its warm-up scaled to the shorter trials.
                var pruner = space.pruner ?? PrunerSettings(kind: .median)
                pruner.warmupEpochs = min(pruner.warmupEpochs ?? 1, max(1, epochs / 3))
                let settings = TuningSettings(
                    study: "compare", sampler: sampler, pruner: pruner,
                    trials: trials, seed: UInt64(repetition))
                let start = Date()
                _ = try Tuner.run(
                    space: space, settings: settings, dataset: dataset, store: store, workers: 2, threads: 1,
                    folder: folder, finalize: false)
                let seconds = Date().timeIntervalSince(start)
                guard let id = try store.tuningStudy(named: "compare")?.id else { continue }
                let all = try store.trials(study: id)
                let value = all.filter { $0.trial.status == .complete }.compactMap(\.trial.value).max() ?? 0
                best[sampler, default: []].append(value)
                print(
                    String(
                        format: "%d\t%@\t%.4f\t%d\t%d\t%.0f", repetition, sampler.rawValue, value,
                        all.filter { $0.trial.status == .complete }.count,
                        all.filter { $0.trial.status == .pruned }.count, seconds))
            }
        }
        for sampler in [SamplerKind.tpe, .random] {
            let values = best[sampler] ?? []
            print(
                String(
                    format: "median best of %@ over %d searches: %.4f (%@)", sampler.rawValue, values.count,
                    values.isEmpty ? 0 : median(values),
                    values.map { String(format: "%.4f", $0) }.joined(separator: ", ")))
        }
    case "store-scale":
        guard arguments.count == 3 else {
            print("usage: fashion-bench store-scale POSTGRES_ADDRESS SPACE")
            exit(2)
        }
        try StoreScale.run(address: Array(arguments)[1], spacePath: Array(arguments)[2])
    default:
        print("unknown benchmark '\(which)'; known: load, gemm, peak, train, tune-compare")
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
