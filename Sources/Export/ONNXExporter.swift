import Foundation
import NeuralNet
import NumericCore

/// Turns a trained `Sequential` into an ONNX graph that onnxruntime runs to the same
/// probabilities.
///
/// - Input `input`: the model's own input, `[N, height, width, channels]` (NHWC, floats in
///   [0, 1] as the model file's preprocessing says) for a model of images, `[N, features]`
///   otherwise. Output `probabilities`: `[N, outputs]`.
/// - Images: one `Transpose` to NCHW after the input, kernels stored OIHW, and a `Transpose`
///   back to NHWC before anything flattens, so the dense weights keep their meaning (the
///   model flattens pixels row by row with their channels side by side).
/// - Dropout is left out (it is the identity at inference); batch norm is
///   `BatchNormalization` with the model's own epsilon and moving statistics.
/// - An ensemble: each member's network from the one input (a member of flat vectors through a
///   `Flatten` when another takes images), its weights named `m<i>/...`, then the mean of their
///   probabilities as `Classifier` computes it: added in order, divided by their count.
struct ONNXExporter {
    /// Where the graph is: a flat `[N, features]` tensor or an NCHW image.
    private enum Layout: Equatable {
        case flat(Int)
        case image(ImageShape)

        var valueCount: Int {
            switch self {
            case .flat(let count): return count
            case .image(let shape): return shape.valueCount
            }
        }
    }

    private var graph = ONNXGraph(name: "fashion")
    private var counter = 0

    /// The graph of `model`. Throws for a layer it cannot express, naming it.
    ///
    /// - Parameter flipAveraging: the graph averages the probabilities of each image and its
    ///   mirror image, as `fashion predict` does for a model trained that way (models of images).
    static func graph(of model: Sequential, flipAveraging: Bool = false) throws(ExportError) -> ONNXGraph {
        try graph(of: [(model, flipAveraging)])
    }

    /// The graph of an ensemble: `members` (at least one) with their own flip averaging, which
    /// take the same images and give the same outputs (`ModelFile.ensembleProblem`).
    static func graph(of members: [(model: Sequential, flipAveraging: Bool)]) throws(ExportError) -> ONNXGraph {
        var exporter = ONNXExporter()
        return try exporter.build(members)
    }

    private mutating func build(_ members: [(model: Sequential, flipAveraging: Bool)]) throws(ExportError)
        -> ONNXGraph
    {
        guard let first = members.first?.model else {
            throw .unsupported(layer: "model", reason: "no model to export")
        }
        let image = members.lazy.compactMap(\.model.imageShape).first
        if let image {
            graph.inputs = [
                ONNXValueInfo(name: "input", shape: [.parameter("N")] + image.dimensions.map { .value($0) })
            ]
        } else {
            graph.inputs = [ONNXValueInfo(name: "input", shape: [.parameter("N"), .value(first.inputSize)])]
        }
        var sum: String?
        var count = 0
        var mirrored: String?
        var flat: String?
        for (index, member) in members.enumerated() {
            let prefix = members.count > 1 ? "m\(index)/" : ""
            var input = "input"
            if member.model.imageShape == nil, image != nil {
                if flat == nil { flat = node("Flatten", ["input"], [.int("axis", 1)]) }
                input = flat!
            }
            var (current, outputs) = try network(member.model, input: input, prefix: prefix)
            if member.flipAveraging, let shape = member.model.imageShape {
                // The mirror image: the columns (NHWC axis 2) in reverse order. Then the mean of the
                // two outputs, computed as the model computes it: 0.5 * (plain + mirrored).
                if mirrored == nil {
                    let columns = int64Tensor(
                        "mirror_columns", Array((0..<shape.width).reversed()), dimensions: [shape.width])
                    mirrored = node("Gather", ["input", columns], [.int("axis", 2)])
                }
                let (second, _) = try network(member.model, input: mirrored!, prefix: prefix)
                let half = tensor("one_half", [0.5], dimensions: [])
                current = node("Mul", [node("Add", [current, second], []), half], [])
            }
            sum = sum.map { node("Add", [$0, current], []) } ?? current
            count = outputs
        }
        var current = sum!
        if members.count > 1 {
            let share = tensor("member_count", [Float(members.count)], dimensions: [])
            current = node("Div", [current, share], [])
        }
        let output = node("Identity", [current], [], output: "probabilities")
        graph.outputs = [ONNXValueInfo(name: output, shape: [.parameter("N"), .value(count)])]
        return graph
    }

    /// The model's layers from `input` (the graph's NHWC or flat input) to a flat output;
    /// returns its name and feature count; its weights are named `prefix` and the layer's
    /// index. Called twice with flip averaging: the weights are added once and shared.
    private mutating func network(_ model: Sequential, input: String, prefix: String) throws(ExportError)
        -> (String, Int)
    {
        var current = input
        var layout: Layout
        if let image = model.imageShape {
            current = node("Transpose", [current], [.ints("perm", [0, 3, 1, 2])])
            layout = .image(image)
        } else {
            layout = .flat(model.inputSize)
        }
        for (index, layer) in model.layers.enumerated() {
            (current, layout) = try export(layer, path: "\(prefix)\(index)", input: current, layout: layout)
        }
        (current, layout) = flattened(current, layout)
        return (current, layout.valueCount)
    }

    /// Adds the nodes of one layer; returns the tensor it ends in and its layout.
    private mutating func export(_ layer: any Layer, path: String, input: String, layout: Layout)
        throws(ExportError) -> (String, Layout)
    {
        let spec = layer.specification
        switch layer {
        case let dense as Dense:
            let (flat, _) = flattened(input, layout)
            let kernel = initializer(
                "\(path).kernel", dense.kernel.value, dimensions: [dense.kernel.value.rows, dense.units])
            let bias = initializer("\(path).bias", dense.bias.value, dimensions: [dense.units])
            return (node("Gemm", [flat, kernel, bias], []), .flat(dense.units))
        case let dense as QuantizedDense:
            // QDQ: the input quantized to uint8 and back, the int8 weights dequantized per
            // output (axis 1), then the same Gemm; onnxruntime fuses these into an 8-bit product.
            let (flat, _) = flattened(input, layout)
            let restored = quantizedAndBack(flat, path: path, quantization: dense.inputQuantization.value)
            let kernel = dequantizedKernel(
                path: path, values: dense.kernel.value.values, scale: dense.kernelScale.value,
                dimensions: [dense.inputs, dense.units], axis: 1)
            let bias = initializer("\(path).bias", dense.bias.value, dimensions: [dense.units])
            return (node("Gemm", [restored, kernel, bias], []), .flat(dense.units))
        case is Dropout:
            return (input, layout)
        case is Flatten:
            return flattened(input, layout)
        case let norm as BatchNorm:
            let channels = norm.gamma.value.count
            let names = [
                ("gamma", norm.gamma), ("beta", norm.beta), ("moving_mean", norm.movingMean),
                ("moving_variance", norm.movingVariance),
            ].map { initializer("\(path).\($0.0)", $0.1.value, dimensions: [channels]) }
            return (node("BatchNormalization", [input] + names, [.float("epsilon", norm.epsilon)]), layout)
        case is Softmax:
            let (flat, flatLayout) = flattened(input, layout)
            return (node("Softmax", [flat], [.int("axis", -1)]), flatLayout)
        case let conv as QuantizedConv2D:
            // QDQ as for a quantized dense layer: the input through uint8 and back, the int8
            // kernel (OIHW) dequantized per filter (axis 0), then the same Conv.
            guard case .image(let shape) = layout else {
                throw .unsupported(layer: path, reason: "a conv2d layer needs images")
            }
            let (k, f) = (conv.kernelSize, conv.filters)
            let restored = quantizedAndBack(input, path: path, quantization: conv.inputQuantization.value)
            let kernel = dequantizedKernel(
                path: path, values: Self.oihw(conv.kernel.value.values, k: k, channels: shape.channels, filters: f),
                scale: conv.kernelScale.value, dimensions: [f, shape.channels, k, k], axis: 0)
            let bias = initializer("\(path).bias", conv.bias.value, dimensions: [f])
            return convolution(
                restored, kernel: kernel, bias: bias, shape: shape, kernelSize: k, stride: conv.stride,
                padding: conv.padding, filters: f)
        case let conv as Conv2D:
            guard case .image(let shape) = layout else {
                throw .unsupported(layer: path, reason: "a conv2d layer needs images")
            }
            let (k, c, f) = (conv.kernelSize, shape.channels, conv.filters)
            let kernel = tensor(
                "\(path).kernel", Self.oihw(conv.kernel.value.values, k: k, channels: c, filters: f),
                dimensions: [f, c, k, k])
            let bias = initializer("\(path).bias", conv.bias.value, dimensions: [f])
            return convolution(
                input, kernel: kernel, bias: bias, shape: shape, kernelSize: k, stride: conv.stride,
                padding: conv.padding, filters: f)
        case let pool as Pool2D:
            guard case .image(let shape) = layout else {
                throw .unsupported(layer: path, reason: "a pooling layer needs images")
            }
            let (height, top) = pool.padding.geometry(input: shape.height, window: pool.poolSize, stride: pool.stride)
            let (width, left) = pool.padding.geometry(input: shape.width, window: pool.poolSize, stride: pool.stride)
            let pads = padding(
                input: shape, output: (height, width), before: (top, left), window: pool.poolSize, stride: pool.stride)
            var attributes: [ONNXAttribute] = [
                .ints("kernel_shape", [pool.poolSize, pool.poolSize]), .ints("strides", [pool.stride, pool.stride]),
                .ints("pads", pads),
            ]
            // Keras's average over a border window counts only the pixels inside the image.
            if pool.mode == .average { attributes.append(.int("count_include_pad", 0)) }
            let out = node(pool.mode == .max ? "MaxPool" : "AveragePool", [input], attributes)
            return (out, .image(ImageShape(height: height, width: width, channels: shape.channels)))
        case is GlobalAveragePool:
            guard case .image(let shape) = layout else {
                throw .unsupported(layer: path, reason: "global average pooling needs images")
            }
            let pooled = node("GlobalAveragePool", [input], [])
            return (node("Flatten", [pooled], [.int("axis", 1)]), .flat(shape.channels))
        case let residual as Residual:
            var current = input
            var currentLayout = layout
            for (index, inner) in residual.body.enumerated() {
                (current, currentLayout) = try export(
                    inner, path: "\(path).\(index)", input: current, layout: currentLayout)
            }
            var shortcut = input
            var shortcutLayout = layout
            if currentLayout != shortcutLayout {
                (current, currentLayout) = flattened(current, currentLayout)
                (shortcut, shortcutLayout) = flattened(shortcut, shortcutLayout)
            }
            return (node("Add", [shortcut, current], []), currentLayout)
        case is ReLU: return (node("Relu", [input], []), layout)
        case let leaky as LeakyReLU:
            return (node("LeakyRelu", [input], [.float("alpha", leaky.function.slope)]), layout)
        case let elu as ELU: return (node("Elu", [input], [.float("alpha", elu.function.scale)]), layout)
        case is GELU: return (node("Gelu", [input], [.string("approximate", "none")]), layout)
        case is Tanh: return (node("Tanh", [input], []), layout)
        case is Sigmoid: return (node("Sigmoid", [input], []), layout)
        default:
            throw .unsupported(
                layer: path, reason: "no ONNX form for a layer of type \(type(of: layer)) (\(spec.kind.rawValue))")
        }
    }

    /// Our kernel `[kh, kw, c, o]` flattened, in ONNX's OIHW order.
    private static func oihw(_ source: [Float], k: Int, channels c: Int, filters f: Int) -> [Float] {
        var oihw = [Float](repeating: 0, count: source.count)
        for o in 0..<f {
            for ci in 0..<c {
                for i in 0..<k {
                    for j in 0..<k { oihw[((o * c + ci) * k + i) * k + j] = source[((i * k + j) * c + ci) * f + o] }
                }
            }
        }
        return oihw
    }

    /// A `Conv` of `kernel` (OIHW) and `bias` over `input` (NCHW, `shape`), with the layer's
    /// stride and padding; returns it and its layout.
    private mutating func convolution(
        _ input: String, kernel: String, bias: String, shape: ImageShape, kernelSize k: Int, stride: Int,
        padding: Padding, filters: Int
    ) -> (String, Layout) {
        let (height, top) = padding.geometry(input: shape.height, window: k, stride: stride)
        let (width, left) = padding.geometry(input: shape.width, window: k, stride: stride)
        let pads = self.padding(input: shape, output: (height, width), before: (top, left), window: k, stride: stride)
        let out = node(
            "Conv", [input, kernel, bias],
            [.ints("kernel_shape", [k, k]), .ints("strides", [stride, stride]), .ints("pads", pads)])
        return (out, .image(ImageShape(height: height, width: width, channels: filters)))
    }

    /// A quantized layer's input through uint8 and back (`QuantizeLinear`, `DequantizeLinear`)
    /// with its scale and zero point (`input_quantization`).
    private mutating func quantizedAndBack(_ input: String, path: String, quantization q: Matrix) -> String {
        let scale = tensor("\(path).input_scale", [q.pointer[0]], dimensions: [])
        let zero = graphTensor(
            "\(path).input_zero_point", .uint8([UInt8(max(0, min(255, q.pointer[1])))]), dimensions: [])
        return node("DequantizeLinear", [node("QuantizeLinear", [input, scale, zero], []), scale, zero], [])
    }

    /// A quantized layer's 8-bit kernel (`values`, integers in [-127, 127], in the order of
    /// `dimensions`) as an int8 initializer, dequantized by `scale` along `axis`.
    private mutating func dequantizedKernel(
        path: String, values: [Float], scale: Matrix, dimensions: [Int], axis: Int
    ) -> String {
        let outputs = dimensions[axis]
        let weights = graphTensor(
            "\(path).kernel_int8", .int8(values.map { Int8(max(-127, min(127, $0))) }), dimensions: dimensions)
        let weightScale = initializer("\(path).kernel_scale", scale, dimensions: [outputs])
        let weightZero = graphTensor(
            "\(path).kernel_zero_point", .int8([Int8](repeating: 0, count: outputs)), dimensions: [outputs])
        return node("DequantizeLinear", [weights, weightScale, weightZero], [.int("axis", axis)])
    }

    /// ONNX's `pads` `[top, left, bottom, right]`: what the window reaches past the image.
    private func padding(input: ImageShape, output: (Int, Int), before: (Int, Int), window: Int, stride: Int) -> [Int] {
        let bottom = max(0, (output.0 - 1) * stride + window - input.height - before.0)
        let right = max(0, (output.1 - 1) * stride + window - input.width - before.1)
        return [before.0, before.1, bottom, right]
    }

    /// The tensor as `[N, features]` in the model's order (NHWC for images).
    private mutating func flattened(_ input: String, _ layout: Layout) -> (String, Layout) {
        guard case .image(let shape) = layout else { return (input, layout) }
        let nhwc = node("Transpose", [input], [.ints("perm", [0, 2, 3, 1])])
        return (node("Flatten", [nhwc], [.int("axis", 1)]), .flat(shape.valueCount))
    }

    private mutating func node(_ op: String, _ inputs: [String], _ attributes: [ONNXAttribute], output: String? = nil)
        -> String
    {
        counter += 1
        let name = output ?? "t\(counter)"
        graph.nodes.append(
            ONNXNode(opType: op, name: "\(op)_\(counter)", inputs: inputs, outputs: [name], attributes: attributes))
        return name
    }

    private mutating func initializer(_ name: String, _ matrix: Matrix, dimensions: [Int]) -> String {
        tensor(name, matrix.values, dimensions: dimensions)
    }

    private mutating func tensor(_ name: String, _ values: [Float], dimensions: [Int]) -> String {
        if !graph.initializers.contains(where: { $0.name == name }) {
            graph.initializers.append(ONNXTensor(name: name, dimensions: dimensions, values: .float(values)))
        }
        return name
    }

    private mutating func graphTensor(_ name: String, _ values: ONNXTensor.Values, dimensions: [Int]) -> String {
        if !graph.initializers.contains(where: { $0.name == name }) {
            graph.initializers.append(ONNXTensor(name: name, dimensions: dimensions, values: values))
        }
        return name
    }

    private mutating func int64Tensor(_ name: String, _ values: [Int], dimensions: [Int]) -> String {
        graph.initializers.append(ONNXTensor(name: name, dimensions: dimensions, values: .int64(values)))
        return name
    }
}

/// What cannot be exported, or written.
public enum ExportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A layer with no ONNX form: its index in the model (`2`, or `3.1` inside a residual block).
    case unsupported(layer: String, reason: String)
    case unknownFormat(String)
    case missingFolder(String)

    public var description: String {
        switch self {
        case .unsupported(let layer, let reason): return "layer \(layer): \(reason); the model cannot be exported"
        case .unknownFormat(let format): return "format: expected onnx, found '\(format)'"
        case .missingFolder(let path): return "output: the folder \(path) does not exist; create it first"
        }
    }

    public var errorDescription: String? { description }
}
