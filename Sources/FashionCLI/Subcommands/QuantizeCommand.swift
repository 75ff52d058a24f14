import ArgumentParser
import FashionData
import Foundation
import Inference
import NeuralNet
import NumericCore

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Make a model file's convolutions and dense layers 8-bit (int8) for faster inference.",
        discussion: """
            Each convolution and dense layer of the model's inference plan (batch norms folded) gets \
            8-bit weights, symmetric per output, and an 8-bit input whose range is the smallest and \
            largest value that layer sees over --calibration images of the training set (the part \
            not held out for validation). The rest (pooling, activations, batch norms that cannot \
            fold, residual blocks) stays 32-bit. The file it writes is a model file like \
            any other: predict, evaluate, serve and explain take it. It prints the top-class \
            agreement and the accuracy of both models on the validation split the model held out.
            """)

    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case int8
    }

    @Option(help: ArgumentHelp("The model file (safetensors) to quantize.", valueName: "file"))
    var model: String

    @Option(help: ArgumentHelp("The precision of the weights and inputs: int8.", valueName: "name"))
    var precision: Precision = .int8

    @Option(help: ArgumentHelp("How many training images calibrate the inputs' ranges.", valueName: "count"))
    var calibration = 1000

    @OptionGroup var dataset: DatasetOptions

    @Option(
        name: [.short, .long], help: ArgumentHelp("Where to write the quantized model file.", valueName: "file"))
    var output: String

    func validate() throws {
        guard calibration > 0 else {
            throw ValidationError("--calibration: expected at least 1 image, found \(calibration)")
        }
        guard URL(fileURLWithPath: output).standardizedFileURL != URL(fileURLWithPath: model).standardizedFileURL else {
            throw ValidationError("--output: give another file than --model (\(model)); it would be overwritten")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let file = try ModelFile.read(from: url)
        if let done = file.quantization {
            throw ValidationError(
                "--model: \(model) is already quantized (\(done.precision)); give the model it was made from")
        }
        let data = try dataset.load(preparedFor: file.preprocessing, model: model)
        var pool = data.train
        var validation: LabeledImages?
        if let heldOut = file.heldOut {
            let split = try pool.stratifiedSplit(validationFraction: heldOut.fraction, seed: heldOut.seed)
            (pool, validation) = (split.train, split.validation)
        }
        guard pool.pixelsPerImage == file.model.inputSize else {
            throw ValidationError(
                "--model: \(model) takes \(file.model.inputSize) values an image; the training set has "
                    + "\(pool.pixelsPerImage)")
        }
        guard calibration <= pool.count else {
            throw ValidationError(
                "--calibration: \(calibration) images asked for, the training set has \(pool.count) (outside the "
                    + "validation split)")
        }
        // The calibration images are held as floats at once: at most 100 million values (400 MB).
        guard calibration <= 100_000_000 / max(1, pool.pixelsPerImage) else {
            throw ValidationError(
                "--calibration: \(calibration) images of \(pool.pixelsPerImage) values are more than 100 million "
                    + "values; give at most \(100_000_000 / max(1, pool.pixelsPerImage))")
        }
        if calibration < 32 {
            print("Note: \(calibration) calibration images are fewer than a batch (32); the ranges may be too narrow.")
        }
        // Evenly spaced over the training set (its images are in no class order we rely on).
        let indices = (0..<calibration).map { $0 * pool.count / calibration }
        let images = Matrix(rows: calibration, columns: pool.pixelsPerImage)
        pool.fillBatch(indices: indices, into: images.buffer)
        let (quantized, record) = try file.model.quantizedInt8(calibration: images)
        let result = ModelFile(
            model: quantized, classNames: file.classNames, preprocessing: file.preprocessing, training: file.training,
            thresholds: file.thresholds, heldOut: file.heldOut, quantization: record)
        try result.write(to: URL(fileURLWithPath: output))
        let kinds = quantized.specification.layers.map(\.kind)
        let (dense, convolutions) = (
            kinds.filter { $0 == .quantizedDense }.count, kinds.filter { $0 == .quantizedConv2D }.count
        )
        print(
            "Wrote \(output): \(record.layers) layers int8 (\(convolutions) convolution\(convolutions == 1 ? "" : "s"), "
                + "\(dense) dense), calibrated on \(calibration) training images; the product runs "
                + "\(Int8Product.best.name) on this CPU")
        print("Method: \(record.method)")
        if Int8Product.best != .vnni {
            print(
                "Note: this CPU has no AVX-512 VNNI; its \(Int8Product.best.name) 8-bit product has been measured "
                    + "slower than the 32-bit one (Docs/quantization.md)")
        }
        if let validation, !file.isMultiLabel {
            let compared = Self.compare(file.model.inferenceModel(), quantized, on: validation)
            print(
                String(
                    format: "On the %d validation images the model held out (no flip averaging): accuracy %.4f (fp32), "
                        + "%.4f (int8); "
                        + "the same top class for %.2f%%", validation.count, compared.accuracy.0, compared.accuracy.1,
                    compared.agreement * 100))
        }
    }

    /// Both models' accuracy and their top classes' agreement on `set`, in batches of 256.
    static func compare(_ a: Sequential, _ b: Sequential, on set: LabeledImages) -> (
        accuracy: (Double, Double), agreement: Double
    ) {
        var (rightA, rightB, same) = (0, 0, 0)
        let batch = Matrix(rows: 0, columns: set.pixelsPerImage)
        var start = 0
        while start < set.count {
            let count = min(256, set.count - start)
            batch.resize(rows: count, columns: set.pixelsPerImage)
            set.fillBatch(indices: start..<(start + count), into: batch.buffer)
            let (pa, pb) = (a(batch).values, b(batch).values)
            let classes = a.outputSize
            for row in 0..<count {
                func top(_ p: [Float]) -> Int {
                    var best = 0
                    for j in 1..<classes where p[row * classes + j] > p[row * classes + best] { best = j }
                    return best
                }
                let (ta, tb) = (top(pa), top(pb))
                let label = Int(set.labels[start + row])
                rightA += ta == label ? 1 : 0
                rightB += tb == label ? 1 : 0
                same += ta == tb ? 1 : 0
            }
            start += count
        }
        let n = Double(max(1, set.count))
        return ((Double(rightA) / n, Double(rightB) / n), Double(same) / n)
    }
}
