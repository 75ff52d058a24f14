import NumericCore

/// A convolution and the 2x2 max pooling right after it (and a ReLU after that, if any), run
/// as one step so the convolution's output (four times the pooled size) is never written:
/// - Winograd layers: a 2x2 output tile is a pooling window, so the output transform adds the
///   bias, pools, rectifies and writes a byte mask of each window's maximum
///   (`Conv2D.winogradForward(_:pooling:)`); backward, the pooled gradient is spread by the
///   mask straight into the transformed output gradient. The forward values are the layers'
///   one by one, bit for bit.
/// - Layers that gather windows (the first layer of a model of one channel, strided ones):
///   image by image, convolved (stride 1: kh products on the image as it lies, see `usesRows`;
///   else its windows gathered and one product), pooled with the bias and the ReLU; backward,
///   the pooled gradient spread by the mask and both products done on the image while it is in
///   cache. Against the layers one by one the sums are in another order (stride 1: three
///   products of depth kw·c added, not one of depth kh·kw·c): the values agree to rounding.
///
/// `Sequential` makes these from its layers when it plans how to run them (see
/// `Sequential.plan`); the layers stay in the model as they were declared (their parameters,
/// specifications and files are theirs). The kernel and bias gradients are summed in fixed
/// chunks of 16 images, the chunks added in order, so the weights are the same for any thread
/// count (tested, with the comparison against the layers, in `ConvolutionMaxPoolTests`).
final class ConvolutionMaxPool: Layer {
    let convolution: Conv2D
    let pool: Pool2D
    /// A ReLU after the pooling that runs in the step too (its forward in the pooling's
    /// output, its backward in the pooling's, with the same values as the ReLU layer's).
    let rectifier: (any Layer)?
    var rectifies: Bool { rectifier != nil }
    /// How the last forward ran: fused (the convolution's Winograd with the pooling inside, or
    /// the gathered windows image by image), or the layers one by one (a Winograd layer switched
    /// to its twin after the plan was made).
    private var ranAlone = false
    private var input: Matrix?
    private let output = Matrix(rows: 0, columns: 0)
    private let mask = ByteBuffer()
    private let inputGradient = Matrix(rows: 0, columns: 0)
    /// Each chunk's kernel gradient and bias gradient, side by side.
    private let partials = Matrix(rows: 0, columns: 0)
    static let chunk = 16

    /// Whether `first` then `second` can run as one step: a convolution that gathers windows or
    /// runs Winograd (whose 2x2 tiles are the pooling's windows), then a 2x2 max pooling that
    /// tiles its output.
    static func fuses(_ first: any Layer, _ second: any Layer) -> Bool {
        guard let convolution = first as? Conv2D, let pool = second as? Pool2D else { return false }
        return (convolution.gathersWindows || convolution.usesWinograd) && pool.isTiledPair
            && pool.inputShape == convolution.outputShape
    }

    init(_ convolution: Conv2D, _ pool: Pool2D, rectifier: (any Layer)?) {
        self.convolution = convolution
        self.pool = pool
        self.rectifier = rectifier
    }

    /// The convolution's: a step is not a layer of a model, and no file stores one.
    var specification: LayerSpecification { convolution.specification }

    func build(inputShape: [Int], generator: inout SeededGenerator) throws(ModelError) -> [Int] {
        pool.outputShape
    }

    func sharingWeights() -> any Layer {
        guard let convolution = convolution.sharingWeights() as? Conv2D, let pool = pool.sharingWeights() as? Pool2D
        else { return self }
        return ConvolutionMaxPool(convolution, pool, rectifier: rectifier?.sharingWeights())
    }

    private var positions: Int { convolution.positions }
    private var depth: Int { convolution.kernel.value.rows }
    private var pooledSize: Int { pool.outputShape.reduce(1, *) }

    /// Stride 1: the image (zero-padded first for `same`) is multiplied as it lies, in "wide
    /// rows" (output row y, column x is row y·paddedWidth + x; the columns past the output are
    /// computed and never read): for each kernel row i, the rows of the image from i on are a
    /// matrix whose row r is the kw·c values from pixel r, so the convolution is kh products of
    /// depth kw·c and no windows are gathered. Other strides gather windows (im2col).
    private var usesRows: Bool { convolution.stride == 1 }
    private var paddedHeight: Int { usesRows ? convolution.outputShape[0] + convolution.kernelSize - 1 : 0 }
    private var paddedWidth: Int { usesRows ? convolution.outputShape[1] + convolution.kernelSize - 1 : 0 }
    /// Rows of the convolution's output as computed: wide rows, or one a position.
    private var rowWidth: Int { usesRows ? paddedWidth : convolution.outputShape[1] }
    private var computedRows: Int { usesRows ? convolution.outputShape[0] * paddedWidth : positions }
    /// The wide rows a product covers: up to the last output column of the last row.
    private var wideRows: Int { (convolution.outputShape[0] - 1) * paddedWidth + convolution.outputShape[1] }

    /// Stride 1 with filters in whole vectors of 16 (and few input channels, as every layer
    /// that gathers windows at stride 1 has): forward, each pooled window's four sums are made
    /// in registers by one kernel (`Kernels.convolveMaxPool2`), and no product is run: one
    /// chain through the taps, kernel row by kernel row, where the products add each kernel
    /// row's sum to the last rows' (the values agree to rounding). Backward, when no input
    /// gradient is wanted (a first layer), the kernel gradient is summed window by window from
    /// the pooled gradient and the mask (`Kernels.convolveMaxPool2Gradient`), the spread
    /// gradient never written.
    private var convolvesInRegisters: Bool { usesRows && convolution.filters % 16 == 0 }

    /// Per-thread buffers: the padded image, the convolution's output (or its gradient) and
    /// windows (or their gradients); the kernels that sum in registers need only the first
    /// (`products` false: the others are one float each).
    private struct Scratch {
        let padded, z, patches: UnsafeMutablePointer<Float>
        init(_ step: ConvolutionMaxPool, products: Bool = true) {
            let channels = step.convolution.inputShape[2]
            padded = .allocate(capacity: max(1, step.paddedHeight * step.paddedWidth * channels))
            z = .allocate(capacity: products ? step.computedRows * step.convolution.filters : 1)
            patches = .allocate(capacity: products ? max(step.positions, step.computedRows) * step.depth : 1)
            padded.initialize(repeating: 0, count: max(1, step.paddedHeight * step.paddedWidth * channels))
        }
        func free() {
            for buffer in [padded, z, patches] { buffer.deallocate() }
        }
    }

    /// The image as the stride-1 products read it: itself, or zero-padded into `scratch`.
    private func rowSource(_ image: UnsafePointer<Float>, _ scratch: Scratch) -> UnsafePointer<Float> {
        let (height, width, channels) = (
            convolution.inputShape[0], convolution.inputShape[1], convolution.inputShape[2]
        )
        if paddedHeight == height && paddedWidth == width { return image }
        let (top, left) = (convolution.padTop, convolution.padLeft)
        for y in 0..<height {
            (scratch.padded + ((y + top) * paddedWidth + left) * channels).update(
                from: image + y * width * channels, count: width * channels)
        }
        return UnsafePointer(scratch.padded)
    }

    /// The convolution of one image, without its bias, into `scratch.z` (`computedRows` rows).
    private func convolve(_ image: UnsafePointer<Float>, _ scratch: Scratch) {
        let (filters, kernel) = (convolution.filters, convolution.kernel.value.pointer)
        if usesRows {
            let source = rowSource(image, scratch)
            let (k, channels, wideRows) = (convolution.kernelSize, convolution.inputShape[2], wideRows)
            for i in 0..<k {
                MatrixProduct.multiplyOnThisThread(
                    transposeA: false, transposeB: false, m: wideRows, n: filters, k: k * channels,
                    a: source + i * paddedWidth * channels, lda: channels, b: kernel + i * k * channels * filters,
                    ldb: filters, beta: i == 0 ? 0 : 1, c: scratch.z, ldc: filters)
            }
            return
        }
        convolution.gather(image: UnsafeMutablePointer(mutating: image), into: scratch.patches)
        MatrixProduct.multiplyOnThisThread(
            transposeA: false, transposeB: false, m: positions, n: filters, k: depth, a: scratch.patches, lda: depth,
            b: kernel, ldb: filters, beta: 0, c: scratch.z, ldc: filters)
    }

    /// dKernel (beta 0: set, 1: added) of one image from its output gradient in `scratch.z`.
    private func kernelGradient(
        _ image: UnsafePointer<Float>, _ scratch: Scratch, beta: Float, into dk: UnsafeMutablePointer<Float>
    ) {
        let filters = convolution.filters
        if usesRows {
            let source = rowSource(image, scratch)
            let (k, channels, wideRows) = (convolution.kernelSize, convolution.inputShape[2], wideRows)
            for i in 0..<k {
                MatrixProduct.multiplyOnThisThread(
                    transposeA: true, transposeB: false, m: k * channels, n: filters, k: wideRows,
                    a: source + i * paddedWidth * channels, lda: channels, b: scratch.z, ldb: filters, beta: beta,
                    c: dk + i * k * channels * filters, ldc: filters)
            }
            return
        }
        convolution.gather(image: UnsafeMutablePointer(mutating: image), into: scratch.patches)
        MatrixProduct.multiplyOnThisThread(
            transposeA: true, transposeB: false, m: depth, n: filters, k: positions, a: scratch.patches, lda: depth,
            b: scratch.z, ldb: filters, beta: beta, c: dk, ldc: filters)
    }

    /// dInput of one image from its output gradient in `scratch.z`: the windows' gradients,
    /// in rows of positions, scattered back (col2im).
    private func inputGradient(_ scratch: Scratch, into dx: UnsafeMutablePointer<Float>) {
        let (filters, depth, rows) = (convolution.filters, depth, computedRows)
        MatrixProduct.multiplyOnThisThread(
            transposeA: false, transposeB: true, m: rows, n: depth, k: filters, a: scratch.z, lda: filters,
            b: convolution.kernel.value.pointer, ldb: filters, beta: 0, c: scratch.patches, ldc: depth)
        if usesRows {
            // Wide rows to positions in place, front to back (each value moves to a lower address).
            let (outWidth, paddedWidth, p) = (convolution.outputShape[1], paddedWidth, scratch.patches)
            for y in 1..<convolution.outputShape[0] {
                for e in 0..<(outWidth * depth) { p[y * outWidth * depth + e] = p[y * paddedWidth * depth + e] }
            }
        }
        convolution.scatter(patches: scratch.patches, into: dx)
    }

    /// The pooling's buffers as the Winograd layer writes them.
    private func pooling(batch: Int) -> WinogradPooling {
        mask.reserve(batch * pooledSize)
        return WinogradPooling(
            output: output.pointer, mask: mask.pointer, height: pool.outputShape[0], width: pool.outputShape[1],
            rectifies: rectifies)
    }

    func forward(_ input: Matrix, training: Bool) -> Matrix {
        self.input = input
        let batch = input.rows
        ranAlone = !convolution.gathersWindows && !convolution.usesWinograd
        if ranAlone {
            let pooled = pool.forward(convolution.forward(input, training: training), training: training)
            return rectifier?.forward(pooled, training: training) ?? pooled
        }
        if !convolution.gathersWindows {
            output.resize(rows: batch, columns: pooledSize)
            _ = convolution.winogradForward(input, pooling: pooling(batch: batch))
            return output
        }
        let (filters, pooledSize, rowWidth) = (convolution.filters, pooledSize, rowWidth)
        let imageSize = convolution.inputShape.reduce(1, *)
        let (outHeight, outWidth) = (pool.outputShape[0], pool.outputShape[1])
        output.resize(rows: batch, columns: pooledSize)
        mask.reserve(batch * pooledSize)
        let (x, y, m, bias) = (input.pointer, output.pointer, mask.pointer, convolution.bias.value.pointer)
        let kernel = UnsafePointer(convolution.kernel.value.pointer)
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            let scratch = Scratch(self, products: !self.convolvesInRegisters)
            defer { scratch.free() }
            for b in images {
                if self.convolvesInRegisters {
                    let channels = self.convolution.inputShape[2]
                    Kernels.convolveMaxPool2(
                        y + b * pooledSize, mask: m + b * pooledSize, input: self.rowSource(x + b * imageSize, scratch),
                        kernel: kernel, bias: bias, relu: self.rectifies, rowStride: self.paddedWidth * channels,
                        channels: channels, kernelSize: self.convolution.kernelSize, filters: filters,
                        outHeight: outHeight, outWidth: outWidth)
                    continue
                }
                self.convolve(x + b * imageSize, scratch)
                Kernels.maxPool2(
                    y + b * pooledSize, mask: m + b * pooledSize, input: scratch.z, bias: bias, relu: self.rectifies,
                    width: rowWidth, channels: filters, outHeight: outHeight, outWidth: outWidth)
            }
        }
        return output
    }

    func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
        guard let input else { return nil }
        if ranAlone {
            let g = rectifier?.backward(outputGradient, needsInputGradient: true) ?? outputGradient
            guard let pooled = pool.backward(g, needsInputGradient: true) else { return nil }
            return convolution.backward(pooled, needsInputGradient: needsInputGradient)
        }
        let batch = outputGradient.rows
        if !convolution.gathersWindows {
            return convolution.winogradBackward(
                outputGradient, needsInputGradient: needsInputGradient, pooling: pooling(batch: batch))
        }
        let (filters, pooledSize, rowWidth) = (convolution.filters, pooledSize, rowWidth)
        let imageSize = convolution.inputShape.reduce(1, *)
        let height = convolution.outputShape[0]
        let (outHeight, outWidth) = (pool.outputShape[0], pool.outputShape[1])
        let kernelSize = depth * filters
        let chunk = Self.chunk
        let chunks = (batch + chunk - 1) / chunk
        partials.resize(rows: max(1, chunks), columns: kernelSize + filters)
        let part = partials.pointer
        if batch == 0 { part.update(repeating: 0, count: kernelSize + filters) }
        if needsInputGradient { inputGradient.resize(rows: batch, columns: imageSize) }
        let (x, g, m, dx) = (input.pointer, outputGradient.pointer, mask.pointer, inputGradient.pointer)
        let y: UnsafeMutablePointer<Float>? = rectifies ? output.pointer : nil
        let products = !convolvesInRegisters || needsInputGradient
        Compute.runner.forEachRange(count: chunks, minimumPerPart: 1) { indices in
            let scratch = Scratch(self, products: products)
            defer { scratch.free() }
            for index in indices {
                let (dk, db) = (
                    part + index * (kernelSize + filters), part + index * (kernelSize + filters) + kernelSize
                )
                db.update(repeating: 0, count: filters)
                let first = index * chunk
                if !products {
                    dk.update(repeating: 0, count: kernelSize)
                    let channels = self.convolution.inputShape[2]
                    for b in first..<min(batch, first + chunk) {
                        Kernels.convolveMaxPool2Gradient(
                            kernelGradient: dk, biasGradient: db, mask: m + b * pooledSize,
                            gradient: g + b * pooledSize, rectified: y.map { UnsafePointer($0 + b * pooledSize) },
                            input: self.rowSource(x + b * imageSize, scratch), rowStride: self.paddedWidth * channels,
                            channels: channels, kernelSize: self.convolution.kernelSize, filters: filters,
                            outHeight: outHeight, outWidth: outWidth)
                    }
                    continue
                }
                for b in first..<min(batch, first + chunk) {
                    let (gb, mb) = (g + b * pooledSize, m + b * pooledSize)
                    // dBias: each pooled gradient once for every pixel of its window that is the maximum.
                    Kernels.maxPool2Backward(
                        scratch.z, mask: mb, gradient: gb, rectified: y.map { $0 + b * pooledSize }, biasGradient: db,
                        height: height, width: rowWidth, channels: filters, outHeight: outHeight, outWidth: outWidth)
                    self.kernelGradient(x + b * imageSize, scratch, beta: b == first ? 0 : 1, into: dk)
                    if needsInputGradient { self.inputGradient(scratch, into: dx + b * imageSize) }
                }
            }
        }
        let stride = kernelSize + filters
        Conv2D.addInOrder(
            part, parts: chunks, length: kernelSize, stride: stride, into: convolution.kernel.gradient.pointer)
        Conv2D.addInOrder(
            part + kernelSize, parts: chunks, length: filters, stride: stride, into: convolution.bias.gradient.pointer)
        return needsInputGradient ? inputGradient : nil
    }
}
