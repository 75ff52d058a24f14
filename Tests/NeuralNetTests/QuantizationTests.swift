import Foundation
import NeuralNet
import NumericCore
import Testing
import _TestSupport

/// `Sequential.quantizedInt8(calibration:)` and `QuantizedDense`: the 8-bit function as its
/// definition gives it, close to the 32-bit model, stored as I8 and refused when its scales are bad.
@Suite(.timeLimit(.minutes(5))) struct QuantizationTests {
    static func images(_ count: Int, size: Int, seed: Int = 0) -> Matrix {
        Matrix(
            rows: count, columns: size,
            values: (0..<(count * size)).map { Float((($0 + seed) * 7919) % 256) / 255 })
    }

    static func model3() throws -> Sequential {
        try Sequential(specification: try #require(Preset.named("model3")).model, seed: 4)
    }

    @Test func theQuantizedLayerComputesItsDefinition() throws {
        let model = try Self.model3()
        let (quantized, record) = try model.quantizedInt8(calibration: Self.images(50, size: 784))
        #expect(record.layers == model.layers.filter { $0 is Dense }.count)
        #expect(record.calibrationImages == 50 && record.precision == "int8")
        let layer = try #require(quantized.layers.compactMap { $0 as? QuantizedDense }.first)
        // The first dense layer's input is the pixels in [0, 1]: scale 1/255, zero point 0.
        #expect(abs(layer.inputQuantization.value.pointer[0] - 1 / 255) < 1e-7)
        #expect(layer.inputQuantization.value.pointer[1] == 0)
        let x = Self.images(5, size: layer.inputs, seed: 3)
        let found = layer.forward(x, training: false).values
        let (k, n) = (layer.inputs, layer.units)
        let (scale, zero) = (
            Double(layer.inputQuantization.value.pointer[0]), Double(layer.inputQuantization.value.pointer[1])
        )
        for row in 0..<5 {
            for o in 0..<n {
                var sum = 0.0
                for r in 0..<k {
                    let q = min(255, max(0, (Double(x[row, r]) / scale).rounded(.toNearestOrEven) + zero))
                    sum += (q - zero) * Double(layer.kernel.value[r, o])
                }
                let expected =
                    sum * scale * Double(layer.kernelScale.value.pointer[o]) + Double(layer.bias.value.pointer[o])
                #expect(abs(Double(found[row * n + o]) - expected) < 1e-4 * max(1, abs(expected)))
            }
        }
    }

    @Test func itStaysCloseToTheModelAndABatchGivesEachImageItsOwnNumbers() throws {
        let model = try Self.model3()
        let (quantized, _) = try model.quantizedInt8(calibration: Self.images(200, size: 784))
        let input = Self.images(32, size: 784, seed: 11)
        let expected = model(input).values
        let found = quantized(input).values
        let largest = zip(found, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest < 0.02, "largest difference of a probability \(largest)")
        for row in [0, 7, 31] {
            let one = Matrix(rows: 1, columns: 784, values: Array(input.values[(row * 784)..<((row + 1) * 784)]))
            #expect(quantized(one).values == Array(found[(row * 10)..<((row + 1) * 10)]))
        }
    }

    @Test func theInputGradientIsTheDequantizedDenseLayers() throws {
        let model = try Self.model3()
        let (quantized, _) = try model.quantizedInt8(calibration: Self.images(20, size: 784))
        let layer = try #require(quantized.layers.compactMap { $0 as? QuantizedDense }.last)
        let (k, n) = (layer.inputs, layer.units)
        let dense = try Sequential(inputShape: [k], seed: 1) { Dense(units: n) }.layers[0] as! Dense
        for r in 0..<k {
            for o in 0..<n {
                dense.kernel.value.pointer[r * n + o] = layer.kernel.value[r, o] * layer.kernelScale.value.pointer[o]
            }
        }
        let x = Self.images(3, size: k)
        let g = Self.images(3, size: n, seed: 5)
        _ = layer.forward(x, training: false)
        _ = dense.forward(x, training: false)
        let found = try #require(layer.backward(g, needsInputGradient: true)).values
        let expected = try #require(dense.backward(g, needsInputGradient: true)).values
        #expect(found == expected)
    }

    @Test func theFileHoldsBytesAndReadsBackTheSameFunction() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let model = try Self.model3()
        let (quantized, record) = try model.quantizedInt8(calibration: Self.images(40, size: 784))
        let names = (0..<10).map { "c\($0)" }
        let preprocessing = Preprocessing(image: ImageShape(height: 28, width: 28))
        let plain = temp.file("m.safetensors")
        let small = temp.file("q.safetensors")
        try ModelFile(model: model, classNames: names, preprocessing: preprocessing).write(to: plain)
        try ModelFile(model: quantized, classNames: names, preprocessing: preprocessing, quantization: record)
            .write(to: small)
        let (tensors, _) = try SafeTensors.decode([UInt8](Data(contentsOf: small)), path: small.path)
        #expect(tensors.filter { $0.dtype == .i8 }.map(\.name).allSatisfy { $0.hasSuffix("kernel_int8") })
        #expect(tensors.filter { $0.dtype == .i8 }.count == record.layers)
        let sizes = try [plain, small].map {
            try #require(FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int)
        }
        #expect(sizes[1] * 3 < sizes[0], "\(sizes)")
        let loaded = try ModelFile.read(from: small)
        #expect(loaded.quantization == record)
        #expect(loaded.model.specification == quantized.specification)
        let input = Self.images(9, size: 784, seed: 2)
        #expect(loaded.model(input).values == quantized(input).values)
        #expect(loaded.model.inferenceModel()(input).values == quantized(input).values)
    }

    /// Bad tensors in a quantized file, each refused at load with the tensor named.
    @Test(arguments: [
        ("0.kernel_scale", Float(0), "scales must be finite and above 0"),
        ("0.kernel_scale", Float(-0.5), "scales must be finite and above 0"),
        ("0.kernel_scale", Float.infinity, "weights must be finite"),
        ("0.input_quantization", Float(0), "the input scale 0.0"),
        ("0.kernel_int8", Float(-128), "8-bit weights must be integers in [-127, 127]"),
    ])
    func aFileWithBadScalesIsRefusedNamingTheTensor(tensor: String, value: Float, reason: String) throws {
        let model = try Self.model3()
        let (quantized, record) = try model.quantizedInt8(calibration: Self.images(10, size: 784))
        let file = ModelFile(
            model: quantized, classNames: (0..<10).map { "c\($0)" },
            preprocessing: Preprocessing(image: ImageShape(height: 28, width: 28)), quantization: record)
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let url = temp.file("q.safetensors")
        try file.write(to: url)
        var (tensors, metadata) = try SafeTensors.decode([UInt8](Data(contentsOf: url)), path: url.path)
        let index = try #require(tensors.firstIndex { $0.name == tensor })
        var values = tensors[index].values
        values[tensor.hasSuffix("input_quantization") ? 0 : 3] = value
        tensors[index] = SafeTensors.Tensor(
            name: tensor, shape: tensors[index].shape, values: values, dtype: tensors[index].dtype)
        #expect {
            try ModelFile.decode(SafeTensors.encode(tensors, metadata: metadata), path: "bad.safetensors")
        } throws: { error in
            let text = "\(error)"
            return text.contains("bad.safetensors") && text.contains("'\(tensor)'") && text.contains(reason)
        }
        // A zero point out of [0, 255], and 8-bit weights stored as floats.
        if tensor == "0.kernel_scale" && value == 0 {
            var zero = try #require(tensors.first { $0.name == "0.input_quantization" }).values
            zero[1] = 300
            tensors = tensors.map {
                $0.name == "0.input_quantization"
                    ? SafeTensors.Tensor(name: $0.name, shape: $0.shape, values: zero) : $0
            }
            metadata["format"] = "fashion-model"
            #expect(throws: ModelError.self) {
                try ModelFile.decode(SafeTensors.encode(tensors, metadata: metadata), path: "x")
            }
            let floats = tensors.map { SafeTensors.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }
            #expect {
                try ModelFile.decode(SafeTensors.encode(floats, metadata: metadata), path: "x")
            } throws: { "\($0)".contains("has dtype F32; the architecture needs I8") }
        }
    }

    /// A quantized convolution (padded, strided, not) is the 32-bit convolution of the
    /// dequantized kernel over the input rounded to its 8-bit steps, the padding a true 0.
    @Test(arguments: [(1, Padding.same), (2, Padding.same), (1, Padding.valid)])
    func theQuantizedConvolutionComputesItsDefinition(stride: Int, padding: Padding) throws {
        let model = try Sequential(inputShape: [7, 7, 3], seed: 9) {
            Conv2D(filters: 5, kernelSize: 3, stride: stride, padding: padding)
            Flatten()
            Dense(units: 4)
        }
        // Inputs in [-0.4, 0.6]: a zero point inside the range.
        let calibration = Matrix(
            rows: 8, columns: 147, values: (0..<(8 * 147)).map { Float(($0 * 7919) % 101) / 100 - 0.4 })
        let (quantized, record) = try model.quantizedInt8(calibration: calibration)
        #expect(record.layers == 2)
        let layer = try #require(quantized.layers[0] as? QuantizedConv2D)
        let (scale, zero) = (layer.inputQuantization.value.pointer[0], layer.inputQuantization.value.pointer[1])
        #expect(zero > 0 && zero < 255)
        let x = Matrix(rows: 3, columns: 147, values: (0..<(3 * 147)).map { Float(($0 * 31) % 97) / 97 - 0.4 })
        // The input as the layer sees it, back in floats.
        let rounded = Matrix(
            rows: 3, columns: 147,
            values: x.values.map { (min(255, max(0, ($0 / scale).rounded(.toNearestOrEven) + zero)) - zero) * scale })
        let reference = try Sequential(inputShape: [7, 7, 3], seed: 1) {
            Conv2D(filters: 5, kernelSize: 3, stride: stride, padding: padding)
        }
        let conv = try #require(reference.layers[0] as? Conv2D)
        for r in 0..<conv.kernel.value.rows {
            for o in 0..<5 {
                conv.kernel.value.pointer[r * 5 + o] = layer.kernel.value[r, o] * layer.kernelScale.value.pointer[o]
            }
        }
        conv.bias.value.pointer.update(from: layer.bias.value.pointer, count: 5)
        let expected = reference(rounded).values
        let found = layer.forward(x, training: false).values
        #expect(found.count == expected.count)
        let largest = zip(found, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest < 1e-4, "largest difference \(largest)")
        // The gradient of its input is the dequantized convolution's.
        let g = Matrix(rows: 3, columns: found.count / 3, values: (0..<found.count).map { Float($0 % 7) / 7 })
        _ = reference(x)
        let expectedGradient = try #require(conv.backward(g, needsInputGradient: true)).values
        _ = layer.forward(x, training: false)
        #expect(try #require(layer.backward(g, needsInputGradient: true)).values == expectedGradient)
    }

    @Test(arguments: ["cnn-reference", "cnn-small"])
    func aQuantizedCNNStaysCloseAndABatchGivesEachImageItsOwnNumbers(preset: String) throws {
        let model = try Sequential(specification: try #require(Preset.named(preset)).model, seed: 6)
        let (quantized, record) = try model.quantizedInt8(calibration: Self.images(64, size: 784))
        // The first convolution (one channel, pooled after) stays 32-bit, fused with its pooling; the
        // others are 8-bit.
        #expect(quantized.layers.contains { $0 is QuantizedConv2D })
        #expect(quantized.layers.filter { $0 is Conv2D }.count == 1 && quantized.layers[0] is Conv2D)
        #expect(quantized.executionSteps.first == "conv2d+max_pool2d+relu", "\(quantized.executionSteps)")
        #expect(record.layers == quantized.layers.filter { $0 is QuantizedConv2D || $0 is QuantizedDense }.count)
        let input = Self.images(12, size: 784, seed: 17)
        let expected = model(input).values
        let found = quantized(input).values
        let largest = zip(found, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest < 0.05, "largest difference of a probability \(largest)")
        let classes = model.outputSize
        for row in [0, 5, 11] {
            let one = Matrix(rows: 1, columns: 784, values: Array(input.values[(row * 784)..<((row + 1) * 784)]))
            #expect(quantized(one).values == Array(found[(row * classes)..<((row + 1) * classes)]))
        }
        let copy = quantized.sharingWeights()
        #expect(copy(input).values == found)
        // The convolutions run with their pooling and ReLU as one step, pooled before they are
        // dequantized: the same values as the layers one by one.
        #expect(quantized.executionSteps.contains("quantized_conv2d+max_pool2d+relu"), "\(quantized.executionSteps)")
        var x = input
        for layer in quantized.layers { x = layer.forward(x, training: false) }
        #expect(x.values == found)
    }

    @Test func calibrationWithoutImagesOrWithoutDenseLayersIsRefused() throws {
        let model = try Self.model3()
        #expect(throws: ModelError.self) { try model.quantizedInt8(calibration: Matrix(rows: 0, columns: 784)) }
        #expect(throws: ModelError.self) { try model.quantizedInt8(calibration: Matrix(rows: 3, columns: 10)) }
        let noDense = try Sequential(inputShape: [4, 4, 1], seed: 1) {
            Flatten()
            Softmax()
        }
        #expect { try noDense.quantizedInt8(calibration: Self.images(2, size: 16)) } throws: {
            "\($0)".contains("no dense layer or convolution")
        }
    }
}
