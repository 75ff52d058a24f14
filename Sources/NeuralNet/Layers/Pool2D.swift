import NumericCore

/// Max or average pooling over NHWC images, per channel, in `poolSize`×`poolSize` windows
/// moved by `stride` (default: the pool size), as Keras's MaxPooling2D and AveragePooling2D.
///
/// - Input: `[batch, height, width, channels]`. Output: `[batch, outHeight, outWidth, channels]`.
/// - No parameters. Max: the gradient goes to the largest input of each window.
///   Average: each input gets its share of the windows it is in; with `same` padding a border
///   window averages only the pixels inside the image, as Keras.
public final class Pool2D: Layer {
    /// Whether a window gives its largest value or its mean.
    public enum Mode: Sendable { case max, average }

    public let mode: Mode
    public let poolSize: Int
    public let stride: Int
    public let padding: Padding
    private(set) var inputShape = [0, 0, 0], outputShape = [0, 0, 0]
    private var padTop = 0, padLeft = 0
    private var input: Matrix?
    private let output = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)
    /// Max 2x2 windows that tile the image (`isTiledPair`): which of each window's pixels are
    /// its maximum, a byte per output value, so the backward pass reads no input.
    private let mask = ByteBuffer()

    public init(_ mode: Mode, poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid) {
        self.mode = mode
        self.poolSize = poolSize
        self.stride = stride ?? poolSize
        self.padding = padding
    }

    public var specification: LayerSpecification {
        LayerSpecification(
            kind: mode == .max ? .maxPool2D : .averagePool2D, kernelSize: poolSize,
            stride: stride == poolSize ? nil : stride,
            padding: padding == .valid ? nil : padding)
    }

    public func build(inputShape shape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        guard shape.count == 3 else {
            throw .invalidSpecification(
                "a pooling layer needs images [height, width, channels], found the shape \(shape)")
        }
        guard poolSize > 0, stride > 0 else {
            throw .invalidSpecification(
                "a pooling layer needs a pool size and stride above 0, found \(poolSize), \(stride)")
        }
        let (height, top) = padding.geometry(input: shape[0], window: poolSize, stride: stride)
        let (width, left) = padding.geometry(input: shape[1], window: poolSize, stride: stride)
        guard height > 0, width > 0 else {
            throw .invalidSpecification("a \(poolSize)x\(poolSize) pool does not fit images of \(shape[0])x\(shape[1])")
        }
        inputShape = shape
        outputShape = [height, width, shape[2]]
        padTop = top
        padLeft = left
        return outputShape
    }

    public func sharingWeights() -> any Layer {
        let copy = Pool2D(mode, poolSize: poolSize, stride: stride, padding: padding)
        copy.inputShape = inputShape
        copy.outputShape = outputShape
        copy.padTop = padTop
        copy.padLeft = padLeft
        return copy
    }

    /// Max pooling of 2x2 windows, stride 2, that all lie inside the image (`valid`, or `same`
    /// on even sizes): the C kernels with a mask run it, and a convolution before it may be fused
    /// with it (`ConvolutionMaxPool`).
    var isTiledPair: Bool {
        mode == .max && poolSize == 2 && stride == 2 && outputShape[0] * 2 <= inputShape[0]
            && outputShape[1] * 2 <= inputShape[1]
    }

    /// The rows and columns of window (y, x) that lie inside the image.
    private func window(_ y: Int, _ x: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let top = y * stride - padTop
        let left = x * stride - padLeft
        return (max(0, top)..<min(inputShape[0], top + poolSize), max(0, left)..<min(inputShape[1], left + poolSize))
    }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        self.input = input
        let batch = input.rows
        let inSize = inputShape.reduce(1, *)
        let outSize = outputShape.reduce(1, *)
        output.resize(rows: batch, columns: outSize)
        let x = input.pointer
        let y = output.pointer
        if isTiledPair {
            mask.reserve(batch * outSize)
            let (m, width, channels) = (mask.pointer, inputShape[1], inputShape[2])
            let (outHeight, outWidth) = (outputShape[0], outputShape[1])
            Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
                for b in images {
                    Kernels.maxPool2(
                        y + b * outSize, mask: m + b * outSize, input: x + b * inSize, width: width, channels: channels,
                        outHeight: outHeight, outWidth: outWidth)
                }
            }
            return output
        }
        Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
            for b in images { self.pool(image: x + b * inSize, into: y + b * outSize) }
        }
        return output
    }

    /// One image: channels are innermost, so every window is read pixel by pixel, each pixel's
    /// channels side by side (the loops over channels vectorise).
    private func pool(image: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let channels = inputShape[2]
        let width = inputShape[1]
        for oy in 0..<outputShape[0] {
            for ox in 0..<outputShape[1] {
                let (rows, columns) = window(oy, ox)
                let out = y + (oy * outputShape[1] + ox) * channels
                switch mode {
                case .max:
                    out.update(repeating: -.infinity, count: channels)
                    for r in rows {
                        for s in columns {
                            let p = image + (r * width + s) * channels
                            for c in 0..<channels { out[c] = max(out[c], p[c]) }
                        }
                    }
                case .average:
                    out.update(repeating: 0, count: channels)
                    for r in rows {
                        for s in columns {
                            let p = image + (r * width + s) * channels
                            for c in 0..<channels { out[c] += p[c] }
                        }
                    }
                    let scale = 1 / Float(rows.count * columns.count)
                    for c in 0..<channels { out[c] *= scale }
                }
            }
        }
    }

    /// One image's input gradient; the mode is decided once, outside the loops over pixels.
    private func poolBackward(
        gradient g: UnsafeMutablePointer<Float>, pooled: UnsafeMutablePointer<Float>,
        input source: UnsafeMutablePointer<Float>,
        into image: UnsafeMutablePointer<Float>
    ) {
        let channels = inputShape[2]
        let width = inputShape[1]
        let outHeight = outputShape[0]
        let outWidth = outputShape[1]
        let isMax = mode == .max
        // (With `same` padding the last windows may reach past the image: those go the long way.)
        if isMax && stride == poolSize && outHeight * poolSize <= inputShape[0] && outWidth * poolSize <= width {
            // The windows tile the image: each input is in one at most, so its gradient is set,
            // not added onto zeros (the same values), and only what no window covers is cleared.
            Kernels.tiledMaxPoolBackward(
                image, input: source, best: pooled, gradient: g, height: inputShape[0], width: width,
                channels: channels, outHeight: outHeight, outWidth: outWidth, size: poolSize)
            return
        }
        image.update(repeating: 0, count: inputShape[0] * width * channels)
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                let (rows, columns) = window(oy, ox)
                let at = (oy * outWidth + ox) * channels
                let go = g + at
                let best = pooled + at
                let share = 1 / Float(rows.count * columns.count)
                for r in rows {
                    for s in columns {
                        let offset = (r * width + s) * channels
                        let p = image + offset
                        let v = source + offset
                        if isMax {
                            Kernels.maxPoolBackwardPixel(p, input: v, best: best, gradient: go, count: channels)
                        } else {
                            for c in 0..<channels { p[c] += go[c] * share }
                        }
                    }
                }
            }
        }
    }

    /// Max: each window's gradient goes to the inputs equal to its maximum (with ties, to each
    /// of them; after a ReLU the usual tie is at zero, where the ReLU passes no gradient anyway).
    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard needsInputGradient, let input else { return nil }
        let batch = outputGradient.rows
        let inSize = inputShape.reduce(1, *)
        let outSize = outputShape.reduce(1, *)
        inputGradient.resize(rows: batch, columns: inSize)
        let dy = outputGradient.pointer
        let dx = inputGradient.pointer
        let x = input.pointer
        let y = output.pointer
        if isTiledPair {
            let (m, height, width, channels) = (mask.pointer, inputShape[0], inputShape[1], inputShape[2])
            let (outHeight, outWidth) = (outputShape[0], outputShape[1])
            Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
                for b in images {
                    Kernels.maxPool2Backward(
                        dx + b * inSize, mask: m + b * outSize, gradient: dy + b * outSize, height: height,
                        width: width, channels: channels, outHeight: outHeight, outWidth: outWidth)
                }
            }
            return inputGradient
        }
        Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
            for b in images {
                self.poolBackward(
                    gradient: dy + b * outSize, pooled: y + b * outSize, input: x + b * inSize, into: dx + b * inSize)
            }
        }
        return inputGradient
    }
}
