import NumericCore

/// A 2-D convolution over NHWC images: `output[b, y, x, o] = bias[o] + Σ input[b, y·s + i − p,
/// x·s + j − p, c] · kernel[i, j, c, o]`, zero outside the image.
///
/// - Input: `[batch, height, width, channels]` (as the matrix `[batch, height·width·channels]`).
///   Output: `[batch, outHeight, outWidth, filters]`.
/// - Parameters: kernel `[kernelSize·kernelSize·channels, filters]` (Keras's `[kh, kw, c, o]`
///   flattened; Glorot uniform with fan-in kh·kw·c and fan-out kh·kw·o), bias `[filters]` (zeros).
/// - Computation: the patches of the whole batch are gathered into a matrix (im2col,
///   `[batch·outHeight·outWidth, kh·kw·c]`), so the convolution is one matrix product with the
///   kernel. Backward: dKernel = patchesᵀ · dOutput, dPatches = dOutput · kernelᵀ, scattered
///   back onto the input (col2im).
public final class Conv2D: Layer {
    public let filters: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding
    public let initializer: Initializer
    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter!
    private(set) var inputShape = [0, 0, 0]
    private(set) var outputShape = [0, 0, 0]
    private var padTop = 0, padLeft = 0
    private let patches = Matrix(rows: 0, columns: 0)
    private let output = Matrix(rows: 0, columns: 0)
    private let patchGradient = Matrix(rows: 0, columns: 0)
    private let inputGradient = Matrix(rows: 0, columns: 0)

    public init(
        filters: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
        initializer: Initializer = .glorotUniform
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.initializer = initializer
    }

    public var specification: LayerSpecification {
        LayerSpecification(
            kind: .conv2D, initializer: initializer == .glorotUniform ? nil : initializer, filters: filters,
            kernelSize: kernelSize,
            stride: stride == 1 ? nil : stride, padding: padding == .valid ? nil : padding)
    }

    public var parameters: [Parameter] { [kernel, bias] }

    public func build(inputShape shape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        guard shape.count == 3 else {
            throw .invalidSpecification(
                "a Conv2D layer needs images [height, width, channels], found the shape \(shape); give the model an "
                    + "input shape"
            )
        }
        guard filters > 0, kernelSize > 0, stride > 0 else {
            throw .invalidSpecification(
                "a Conv2D layer needs filters, kernel size and stride above 0, found \(filters), \(kernelSize), "
                    + "\(stride)"
            )
        }
        let (height, heightPad) = padding.geometry(input: shape[0], window: kernelSize, stride: stride)
        let (width, widthPad) = padding.geometry(input: shape[1], window: kernelSize, stride: stride)
        guard height > 0, width > 0 else {
            throw .invalidSpecification(
                "a \(kernelSize)x\(kernelSize) valid convolution does not fit images of \(shape[0])x\(shape[1])")
        }
        inputShape = shape
        outputShape = [height, width, filters]
        padTop = heightPad
        padLeft = widthPad
        let depth = try ModelLimits.values([kernelSize, kernelSize, shape[2]], of: "a Conv2D window")
        _ = try ModelLimits.values([depth, filters], of: "a Conv2D kernel")
        _ = try ModelLimits.values([height, width, filters], of: "a Conv2D output image")
        kernel = Parameter(name: "kernel", rows: depth, columns: filters, decays: true)
        bias = Parameter(name: "bias", rows: 1, columns: filters, decays: false)
        initializer.fill(kernel.value, fanIn: depth, fanOut: kernelSize * kernelSize * filters, generator: &generator)
        return outputShape
    }

    public func sharingWeights() -> any Layer {
        let copy = Conv2D(
            filters: filters, kernelSize: kernelSize, stride: stride, padding: padding, initializer: initializer)
        copy.kernel = kernel
        copy.bias = bias
        copy.inputShape = inputShape
        copy.outputShape = outputShape
        copy.padTop = padTop
        copy.padLeft = padLeft
        return copy
    }

    var positions: Int { outputShape[0] * outputShape[1] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        let batch = input.rows
        let depth = kernel.value.rows
        patches.resize(rows: batch * positions, columns: depth)
        let source = input.pointer
        let target = patches.pointer
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            for b in images {
                self.gather(image: source + b * self.inputShape.reduce(1, *), into: target + b * self.positions * depth)
            }
        }
        output.resize(rows: batch, columns: positions * filters)
        let rows = batch * positions
        let bias = self.bias.value.pointer
        let out = output.pointer
        let filters = filters
        Compute.runner.forEachRange(count: rows, minimumPerPart: 1024) { part in
            for row in part {
                let y = out + row * filters
                for o in 0..<filters { y[o] = bias[o] }
            }
        }
        MatrixProduct.multiply(
            transposeA: false, transposeB: false, m: rows, n: filters, k: depth,
            a: patches.pointer, lda: depth, b: kernel.value.pointer, ldb: filters, beta: 1, c: output.pointer,
            ldc: filters)
        return output
    }

    public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        let batch = outputGradient.rows
        let depth = kernel.value.rows
        let rows = batch * positions
        MatrixProduct.multiply(
            transposeA: true, transposeB: false, m: depth, n: filters, k: rows,
            a: patches.pointer, lda: depth, b: outputGradient.pointer, ldb: filters, beta: 0,
            c: kernel.gradient.pointer, ldc: filters)
        let db = bias.gradient.pointer
        let dy = outputGradient.pointer
        db.update(repeating: 0, count: filters)
        for row in 0..<rows {
            let g = dy + row * filters
            for o in 0..<filters { db[o] += g[o] }
        }
        guard needsInputGradient else { return nil }
        patchGradient.resize(rows: rows, columns: depth)
        MatrixProduct.multiply(
            transposeA: false, transposeB: true, m: rows, n: depth, k: filters,
            a: dy, lda: filters, b: kernel.value.pointer, ldb: filters, beta: 0, c: patchGradient.pointer, ldc: depth)
        let imageSize = inputShape.reduce(1, *)
        inputGradient.resize(rows: batch, columns: imageSize)
        let source = patchGradient.pointer
        let target = inputGradient.pointer
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            for b in images { self.scatter(patches: source + b * self.positions * depth, into: target + b * imageSize) }
        }
        return inputGradient
    }

    /// im2col for one image: row `y·outWidth + x` holds the window at (y, x), `[kh, kw, c]`.
    /// A window row that lies inside the image is `kw·c` floats in a row in the input too, so
    /// it is copied in one go; only border windows go pixel by pixel.
    func gather(image: UnsafeMutablePointer<Float>, into rows: UnsafeMutablePointer<Float>) {
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let k = kernelSize
        let span = k * channels
        let depth = k * span
        for y in 0..<outputShape[0] {
            for x in 0..<outputShape[1] {
                let row = rows + (y * outputShape[1] + x) * depth
                let left = x * stride - padLeft
                for i in 0..<k {
                    let sy = y * stride + i - padTop
                    let target = row + i * span
                    if sy < 0 || sy >= height {
                        for e in 0..<span { target[e] = 0 }
                    } else if left >= 0, left + k <= width {
                        let source = image + (sy * width + left) * channels
                        for e in 0..<span { target[e] = source[e] }
                    } else {
                        for j in 0..<k {
                            let sx = left + j
                            let pixel = target + j * channels
                            if sx >= 0, sx < width {
                                let source = image + (sy * width + sx) * channels
                                for c in 0..<channels { pixel[c] = source[c] }
                            } else {
                                for c in 0..<channels { pixel[c] = 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// col2im for one image: adds each window's gradient back onto the pixels it came from
    /// (a window row inside the image is again `kw·c` floats in a row).
    func scatter(patches rows: UnsafeMutablePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let k = kernelSize
        let span = k * channels
        let depth = k * span
        image.update(repeating: 0, count: height * width * channels)
        for y in 0..<outputShape[0] {
            for x in 0..<outputShape[1] {
                let row = rows + (y * outputShape[1] + x) * depth
                let left = x * stride - padLeft
                for i in 0..<k {
                    let sy = y * stride + i - padTop
                    guard sy >= 0, sy < height else { continue }
                    let source = row + i * span
                    if left >= 0, left + k <= width {
                        let target = image + (sy * width + left) * channels
                        for e in 0..<span { target[e] += source[e] }
                    } else {
                        for j in 0..<k where left + j >= 0 && left + j < width {
                            let target = image + (sy * width + left + j) * channels
                            let pixel = source + j * channels
                            for c in 0..<channels { target[c] += pixel[c] }
                        }
                    }
                }
            }
        }
    }
}
