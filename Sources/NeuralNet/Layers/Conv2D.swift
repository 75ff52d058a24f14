import NumericCore

/// A 2-D convolution over NHWC images: `output[b, y, x, o] = bias[o] + Σ input[b, y·s + i − p,
/// x·s + j − p, c] · kernel[i, j, c, o]`, zero outside the image.
///
/// - Input: `[batch, height, width, channels]` (as the matrix `[batch, height·width·channels]`).
///   Output: `[batch, outHeight, outWidth, filters]`.
/// - Parameters: kernel `[kernelSize·kernelSize·channels, filters]` (Keras's `[kh, kw, c, o]`
///   flattened; Glorot uniform with fan-in kh·kw·c and fan-out kh·kw·o), bias `[filters]` (zeros).
/// - Computation, stride 1, 8 channels or more, not Winograd (`usesShiftedProducts`): for each of the
///   kh·kw kernel offsets (i, j), the image shifted by (i, j) is already a matrix: its pixels
///   `[pixel, c]` in rows, consecutive output pixels of an image row being consecutive input
///   pixels. Over "wide" rows (every input column of an output row, the kw − 1 past the edge
///   computed and dropped), output += shifted image · kernel[i, j], one product of depth c per
///   offset, on an image (zero-padded first for `same`) that stays in cache: no window matrix.
///   Backward the same way: dKernel[i, j] = Σ over images of shiftedᵀ · dOutput (an offset's 32
///   filters on one thread, the images in order), dInput at shift (i, j) += dOutput · kernel[i, j]ᵀ.
/// - 3x3, stride 1 and 8 channels or more (`usesWinograd`): Winograd F(2x2, 3x3) (Lavin & Gray):
///   each 2x2 block of outputs from its 4x4 block of inputs, transformed (`Bᵀ d B`, 16 values
///   a channel), the kernel transformed (`G g Gᵀ`), 16 products (one a transformed position:
///   tiles x channels times channels x filters) and the inverse transform (`Aᵀ M A`): 16
///   multiplications for the 36 of direct convolution. Backward the exact gradients of that
///   computation: with the output gradient transformed (`Z = A dY Aᵀ`), dKernel = Gᵀ [Σ tiles
///   Vᵀ Z] G (summed in fixed chunks of 16 images, then the chunks in order) and dInput =
///   B [Z Uᵀ] Bᵀ, the overlapping 4x4 blocks added in order. The shifted products are its twin (tested against
///   it, the plain loops and gradient checks; `prefersWinograd = false` chooses them).
/// - Otherwise (the first layer of one channel, strides): the patches of the whole batch are
///   gathered into a matrix (im2col, `[batch·outHeight·outWidth, kh·kw·c]`), so the convolution
///   is one matrix product with the kernel. Backward: dKernel = patchesᵀ · dOutput, dPatches =
///   dOutput · kernelᵀ, scattered back onto the input (col2im).
/// - Winograd or gathered windows followed by a 2x2 max pooling: `Sequential` runs the pair
///   as one step (`ConvolutionMaxPool`), this layer's output never written.
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
    private(set) var padTop = 0, padLeft = 0
    private let patches = Matrix(rows: 0, columns: 0)
    let output = Matrix(rows: 0, columns: 0)
    private let patchGradient = Matrix(rows: 0, columns: 0)
    let inputGradient = Matrix(rows: 0, columns: 0)
    /// Shifted products: the batch zero-padded (for `same`), or the input itself (Winograd: the
    /// input); the output
    /// gradient in wide rows; the kernel transposed per offset.
    private let paddedInput = Matrix(rows: 0, columns: 0)
    var shiftedSource: Matrix?
    private let wideGradient = Matrix(rows: 0, columns: 0)
    private let kernelTransposed = Matrix(rows: 0, columns: 0)
    /// Winograd (Conv2D+Winograd.swift): the transformed kernel `[16, channels·filters]` and its
    /// transpose per position, and the transformed kernel gradient (the transformed images and
    /// gradients live a group of images at a time, in each thread's scratch).
    let winogradKernel = Matrix(rows: 0, columns: 0)
    let winogradKernelTransposed = Matrix(rows: 0, columns: 0)
    let winogradKernelGradient = Matrix(rows: 0, columns: 0)
    /// With a pooling run inside (`WinogradPooling`), each chunk's bias gradient.
    let winogradBiasGradient = Matrix(rows: 0, columns: 0)
    /// Whether a 3x3 stride-1 layer of 8 channels or more runs Winograd (the default) or the
    /// shifted products (its twin, for tests and comparisons).
    public var prefersWinograd = true
    /// Whether the weights never change (a model made for inference, `Sequential.inferenceModel`):
    /// the Winograd kernel is then transformed once, on the first forward.
    var weightsAreFixed = false

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
        copy.weightsAreFixed = weightsAreFixed
        return copy
    }

    var positions: Int { outputShape[0] * outputShape[1] }

    /// Whether this layer multiplies shifted images (see the type's notes) rather than
    /// gathering windows: stride 1 and at least 8 channels, so each product has some depth.
    public var usesShiftedProducts: Bool { stride == 1 && inputShape[2] >= 8 && !usesWinograd }

    /// Whether this layer gathers windows (im2col; see the type's notes): strides, and fewer
    /// than 8 channels.
    var gathersWindows: Bool { !(stride == 1 && inputShape[2] >= 8) }

    /// Whether this layer runs Winograd F(2x2, 3x3) (see the type's notes): 3x3, stride 1, at
    /// least 8 channels, unless `prefersWinograd` is off.
    public var usesWinograd: Bool { prefersWinograd && kernelSize == 3 && stride == 1 && inputShape[2] >= 8 }

    /// The padded image's height and width (the input's for `valid`), and the wide rows of
    /// one image: output row y, column x is wide row y·paddedWidth + x.
    private var paddedHeight: Int { outputShape[0] + kernelSize - 1 }
    private var paddedWidth: Int { outputShape[1] + kernelSize - 1 }
    private var wideRows: Int { (outputShape[0] - 1) * paddedWidth + outputShape[1] }
    private var needsPadding: Bool { paddedHeight != inputShape[0] || paddedWidth != inputShape[1] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        if usesWinograd { return winogradForward(input) }
        if usesShiftedProducts { return shiftedForward(input) }
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
        if usesWinograd { return winogradBackward(outputGradient, needsInputGradient: needsInputGradient) }
        if usesShiftedProducts { return shiftedBackward(outputGradient, needsInputGradient: needsInputGradient) }
        let batch = outputGradient.rows
        let depth = kernel.value.rows
        let rows = batch * positions
        MatrixProduct.multiply(
            transposeA: true, transposeB: false, m: depth, n: filters, k: rows,
            a: patches.pointer, lda: depth, b: outputGradient.pointer, ldb: filters, beta: 0,
            c: kernel.gradient.pointer, ldc: filters)
        let dy = outputGradient.pointer
        biasGradient(from: dy, rows: rows)
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

    private func shiftedForward(_ input: Matrix) -> Matrix {
        let batch = input.rows
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (outputShape[0], outputShape[1])
        let (paddedHeight, paddedWidth, wideRows, k, filters) =
            (self.paddedHeight, self.paddedWidth, self.wideRows, kernelSize, self.filters)
        let paddedSize = paddedHeight * paddedWidth * channels
        let source: Matrix
        if needsPadding {
            paddedInput.resize(rows: batch, columns: paddedSize)
            let (x, p, top, left) = (input.pointer, paddedInput.pointer, padTop, padLeft)
            Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
                for b in images {
                    let target = p + b * paddedSize
                    target.update(repeating: 0, count: paddedSize)
                    for y in 0..<height {
                        (target + ((y + top) * paddedWidth + left) * channels).update(
                            from: x + (b * height + y) * width * channels, count: width * channels)
                    }
                }
            }
            source = paddedInput
        } else {
            source = input
        }
        shiftedSource = source
        output.resize(rows: batch, columns: positions * filters)
        let (xp, out, kernel, bias) = (
            source.pointer, output.pointer, self.kernel.value.pointer, self.bias.value.pointer
        )
        let outSize = positions * filters
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            let wide = UnsafeMutablePointer<Float>.allocate(capacity: wideRows * filters)
            defer { wide.deallocate() }
            for b in images {
                for row in 0..<wideRows { (wide + row * filters).update(from: bias, count: filters) }
                let image = xp + b * paddedSize
                for i in 0..<k {
                    for j in 0..<k {
                        MatrixProduct.multiplyOnThisThread(
                            transposeA: false, transposeB: false, m: wideRows, n: filters, k: channels,
                            a: image + (i * paddedWidth + j) * channels, lda: channels,
                            b: kernel + (i * k + j) * channels * filters, ldb: filters, beta: 1, c: wide, ldc: filters)
                    }
                }
                for y in 0..<outHeight {
                    (out + b * outSize + y * outWidth * filters).update(
                        from: wide + y * paddedWidth * filters, count: outWidth * filters)
                }
            }
        }
        return output
    }

    private func shiftedBackward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard let source = shiftedSource else { return nil }
        let batch = outputGradient.rows
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (outputShape[0], outputShape[1])
        let (paddedHeight, paddedWidth, wideRows, k, filters) =
            (self.paddedHeight, self.paddedWidth, self.wideRows, kernelSize, self.filters)
        let paddedSize = paddedHeight * paddedWidth * channels
        let outSize = positions * filters
        let wideSize = wideRows * filters
        // The output gradient in wide rows, the dropped columns zero.
        wideGradient.resize(rows: batch, columns: wideSize)
        let (dy, wide) = (outputGradient.pointer, wideGradient.pointer)
        Compute.runner.forEachRange(count: batch, minimumPerPart: 4) { images in
            for b in images {
                let target = wide + b * wideSize
                target.update(repeating: 0, count: wideSize)
                for y in 0..<outHeight {
                    (target + y * paddedWidth * filters).update(
                        from: dy + b * outSize + y * outWidth * filters, count: outWidth * filters)
                }
            }
        }
        // dKernel[i, j] = Σ_b shifted(b)ᵀ · wide(b), in units of an offset and 32 filters, each
        // on one thread with the images in order (so the same sums for any thread count).
        let (xp, dk) = (source.pointer, kernel.gradient.pointer)
        if batch == 0 { dk.update(repeating: 0, count: k * k * channels * filters) }
        let columnBlocks = (filters + 31) / 32
        Compute.runner.forEachRange(count: k * k * columnBlocks, minimumPerPart: 1) { units in
            for unit in units {
                let (offset, column) = (unit / columnBlocks, unit % columnBlocks * 32)
                let (i, j) = (offset / k, offset % k)
                for b in 0..<batch {
                    MatrixProduct.multiplyOnThisThread(
                        transposeA: true, transposeB: false, m: channels, n: min(32, filters - column), k: wideRows,
                        a: xp + b * paddedSize + (i * paddedWidth + j) * channels, lda: channels,
                        b: wide + b * wideSize + column, ldb: filters, beta: b == 0 ? 0 : 1,
                        c: dk + offset * channels * filters + column, ldc: filters)
                }
            }
        }
        biasGradient(from: dy, rows: batch * positions)
        guard needsInputGradient else { return nil }
        // The kernel per offset transposed, [filters, channels], so dInput's products read rows.
        kernelTransposed.resize(rows: k * k * filters, columns: channels)
        let (kernel, kt) = (self.kernel.value.pointer, kernelTransposed.pointer)
        for offset in 0..<(k * k) {
            for c in 0..<channels {
                for o in 0..<filters {
                    kt[(offset * filters + o) * channels + c] = kernel[(offset * channels + c) * filters + o]
                }
            }
        }
        let imageSize = height * width * channels
        inputGradient.resize(rows: batch, columns: imageSize)
        let (dx, padding, top, left) = (inputGradient.pointer, needsPadding, padTop, padLeft)
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            let scratch = padding ? UnsafeMutablePointer<Float>.allocate(capacity: paddedSize) : nil
            defer { scratch?.deallocate() }
            for b in images {
                let target = scratch ?? (dx + b * imageSize)
                target.update(repeating: 0, count: paddedSize)
                for offset in 0..<(k * k) {
                    let (i, j) = (offset / k, offset % k)
                    MatrixProduct.multiplyOnThisThread(
                        transposeA: false, transposeB: false, m: wideRows, n: channels, k: filters,
                        a: wide + b * wideSize, lda: filters, b: kt + offset * filters * channels, ldb: channels,
                        beta: 1, c: target + (i * paddedWidth + j) * channels, ldc: channels)
                }
                if let scratch {
                    for y in 0..<height {
                        (dx + b * imageSize + y * width * channels).update(
                            from: scratch + ((y + top) * paddedWidth + left) * channels, count: width * channels)
                    }
                }
            }
        }
        return inputGradient
    }

    /// Filters split over threads in whole cache lines, each summed over the rows in order.
    func biasGradient(from dy: UnsafeMutablePointer<Float>, rows: Int) {
        let (db, filters) = (bias.gradient.pointer, self.filters)
        db.update(repeating: 0, count: filters)
        Compute.runner.forEachRange(count: filters, alignment: 16, minimumPerPart: 16, partsPerThread: 1) { part in
            for row in 0..<rows {
                let g = dy + row * filters
                for o in part { db[o] += g[o] }
            }
        }
    }

    /// im2col for one image: row `y·outWidth + x` holds the window at (y, x), `[kh, kw, c]`
    /// (in C: a window row inside the image is `kw·c` floats in a row of the input too).
    func gather(image: UnsafeMutablePointer<Float>, into rows: UnsafeMutablePointer<Float>) {
        Kernels.im2col(
            rows, image: image, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
            outHeight: outputShape[0], outWidth: outputShape[1], k: kernelSize, stride: stride, padTop: padTop,
            padLeft: padLeft)
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
