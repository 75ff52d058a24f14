import NumericCore

/// Where a 2x2 max pooling run inside a Winograd layer (`ConvolutionMaxPool`) keeps its
/// output `[batch, height, width, filters]` and masks: a Winograd tile is a pooling window.
struct WinogradPooling {
    let output: UnsafeMutablePointer<Float>
    let mask: UnsafeMutablePointer<UInt8>
    let height, width: Int
    let rectifies: Bool
    var size: Int { height * width }
}

/// Winograd F(2x2, 3x3) for Conv2D (see the notes on `Conv2D`): the forward pass, the exact
/// gradients of it, and the kernel's transforms. The image transforms are C kernels
/// (`Kernels.winograd*`); the products are the project's matrix product on each thread.
extension Conv2D {
    /// Winograd's tiles: 2x2 blocks of outputs, the last row and column past an odd size.
    private var tileRows: Int { (outputShape[0] + 1) / 2 }
    private var tileColumns: Int { (outputShape[1] + 1) / 2 }

    /// The tiles a pass computes: every tile of the output, or under a pooling only its windows.
    /// A pooling of an odd size drops the output's last row and column, so their tiles are never
    /// needed (the reference CNN's 11x11: 25 tiles of 36): their products and transforms are skipped.
    /// Skipped, they add nothing to any gradient, as their zero output gradient added nothing.
    private struct TileGrid {
        let rows, columns: Int
        var count: Int { rows * columns }
    }

    private func tileGrid(_ pooling: WinogradPooling?) -> TileGrid {
        guard let pooling else { return TileGrid(rows: tileRows, columns: tileColumns) }
        return TileGrid(rows: min(tileRows, pooling.height), columns: min(tileColumns, pooling.width))
    }

    /// Images in one Winograd product: a group of about 128 tiles forward, 64 backward (its
    /// transformed input and output gradient stay in L2; each tile's row of a product is the
    /// same whatever the group, and the kernel gradient adds the groups in order).
    private func winogradGroup(tiles: Int) -> Int { max(1, 128 / tiles) }
    private func winogradBackwardGroup(tiles: Int) -> Int { max(1, 64 / tiles) }

    /// The images `first..<first + count` transformed into `v` (16 planes of `rows` tiles).
    private func winogradTransformInput(
        _ x: UnsafePointer<Float>, first: Int, count: Int, into v: UnsafeMutablePointer<Float>, rows: Int,
        grid: TileGrid, zeros: UnsafePointer<Float>
    ) {
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        for b in 0..<count {
            Kernels.winogradInput(
                x + (first + b) * height * width * channels, height: height, width: width, channels: channels,
                tilesH: grid.rows, tilesW: grid.columns, padTop: padTop, padLeft: padLeft,
                into: v + b * grid.count * channels, planeStride: rows * channels, zeros: zeros)
        }
    }

    /// The output gradient of images `first..<first + count` transformed into `z`.
    private func winogradTransformGradient(
        _ dy: UnsafePointer<Float>, first: Int, count: Int, into z: UnsafeMutablePointer<Float>, rows: Int,
        zeros: UnsafePointer<Float>
    ) {
        let tiles = tileRows * tileColumns
        for b in 0..<count {
            Kernels.winogradOutputGradient(
                dy + (first + b) * positions * filters, outHeight: outputShape[0], outWidth: outputShape[1],
                filters: filters, tilesH: tileRows, tilesW: tileColumns, into: z + b * tiles * filters,
                planeStride: rows * filters, zeros: zeros)
        }
    }

    /// The pooled gradient of images `first..<first + count` spread and transformed into `z`,
    /// their bias gradient added onto `db`.
    private func winogradTransformPooledGradient(
        _ g: UnsafePointer<Float>, _ pooling: WinogradPooling, first: Int, count: Int,
        into z: UnsafeMutablePointer<Float>, rows: Int, grid: TileGrid, db: UnsafeMutablePointer<Float>
    ) {
        for b in 0..<count {
            let at = (first + b) * pooling.size * filters
            Kernels.winogradPooledGradient(
                g + at, mask: pooling.mask + at, rectified: pooling.rectifies ? pooling.output + at : nil,
                biasGradient: db, pooledHeight: pooling.height, pooledWidth: pooling.width, filters: filters,
                tilesH: grid.rows, tilesW: grid.columns, into: z + b * grid.count * filters,
                planeStride: rows * filters)
        }
    }

    /// The forward pass; with `pooling`, the 2x2 max pooling after it too, into the pooling's
    /// buffers (the layer's own output is then not written).
    func winogradForward(_ input: Matrix, pooling: WinogradPooling? = nil) -> Matrix {
        let batch = input.rows
        let (channels, filters) = (inputShape[2], self.filters)
        let grid = tileGrid(pooling)
        let tiles = grid.count
        transformKernel()
        shiftedSource = input
        if pooling == nil { output.resize(rows: batch, columns: positions * filters) }
        let (x, u, bias, out) = (input.pointer, winogradKernel.pointer, self.bias.value.pointer, output.pointer)
        let group = winogradGroup(tiles: tiles)
        Compute.runner.forEachRange(count: batch, minimumPerPart: 1) { images in
            let rows = group * tiles
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rows * channels)
            let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rows * filters)
            let zeros = UnsafeMutablePointer<Float>.allocate(capacity: channels)
            let sink = UnsafeMutablePointer<Float>.allocate(capacity: 4 * filters)
            zeros.initialize(repeating: 0, count: channels)
            defer {
                for buffer in [v, m, zeros, sink] { buffer.deallocate() }
            }
            var first = images.lowerBound
            while first < images.upperBound {
                let count = min(group, images.upperBound - first)
                self.winogradTransformInput(
                    x, first: first, count: count, into: v, rows: rows, grid: grid, zeros: zeros)
                for xi in 0..<16 {
                    MatrixProduct.multiplyOnThisThread(
                        transposeA: false, transposeB: false, m: count * tiles, n: filters, k: channels,
                        a: v + xi * rows * channels, lda: channels, b: u + xi * channels * filters, ldb: filters,
                        beta: 0, c: m + xi * rows * filters, ldc: filters)
                }
                for b in 0..<count {
                    if let pooling {
                        let at = (first + b) * pooling.size * filters
                        Kernels.winogradOutputPool(
                            m + b * tiles * filters, planeStride: rows * filters, filters: filters,
                            tilesW: grid.columns, pooledHeight: pooling.height, pooledWidth: pooling.width,
                            bias: bias, relu: pooling.rectifies, into: pooling.output + at, mask: pooling.mask + at)
                        continue
                    }
                    Kernels.winogradOutput(
                        m + b * tiles * filters, planeStride: rows * filters, filters: filters,
                        tilesH: self.tileRows, tilesW: self.tileColumns, outHeight: self.outputShape[0],
                        outWidth: self.outputShape[1], bias: bias, into: out + (first + b) * self.positions * filters,
                        sink: sink)
                }
                first += count
            }
        }
        return output
    }

    /// The backward pass from the output gradient, or with `pooling` from the gradient of the
    /// pooling's output (and the bias gradient summed from it, chunk by chunk).
    func winogradBackward(_ outputGradient: Matrix, needsInputGradient: Bool, pooling: WinogradPooling? = nil)
        -> Matrix?
    {
        guard let source = shiftedSource else { return nil }
        let batch = outputGradient.rows
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let filters = self.filters
        let grid = tileGrid(pooling)
        let tiles = grid.count
        let (x, dy) = (source.pointer, outputGradient.pointer)
        let group = winogradBackwardGroup(tiles: tiles)
        let rows = group * tiles
        // One pass over fixed chunks of 16 images, each on one thread: a group of images at a
        // time, the input and the output gradient transformed once (V, Z), the chunk's part
        // of P[ξ] = Σ tiles V[ξ]ᵀ Z[ξ] (the groups added in order) and the input gradient
        // B [Z[ξ] U[ξ]ᵀ] Bᵀ while V and Z are in cache. The chunks' parts are then added in
        // order: the same sums for any thread count.
        let kernelSize = channels * filters
        let chunk = 16
        let chunks = (batch + chunk - 1) / chunk
        winogradKernelGradient.resize(rows: max(1, chunks), columns: 16 * kernelSize)
        let p = winogradKernelGradient.pointer
        if batch == 0 { p.update(repeating: 0, count: 16 * kernelSize) }
        winogradBiasGradient.resize(rows: max(1, chunks), columns: filters)
        let partialBias = winogradBiasGradient.pointer
        partialBias.update(repeating: 0, count: max(1, chunks) * filters)
        // Uᵀ per position, [filters, channels], so the input gradient's products read rows.
        winogradKernelTransposed.resize(rows: 16, columns: kernelSize)
        let (u, ut) = (winogradKernel.pointer, winogradKernelTransposed.pointer)
        if needsInputGradient {
            for xi in 0..<16 {
                Kernels.transpose(
                    u + xi * kernelSize, rows: channels, columns: filters, rowStride: filters,
                    into: ut + xi * kernelSize)
            }
        }
        let imageSize = height * width * channels
        if needsInputGradient { inputGradient.resize(rows: batch, columns: imageSize) }
        let dx = inputGradient.pointer
        Compute.runner.forEachRange(count: chunks, minimumPerPart: 1) { part in
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rows * channels)
            let z = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rows * filters)
            let q = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rows * channels)
            let zeros = UnsafeMutablePointer<Float>.allocate(capacity: max(channels, filters))
            let sink = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels)
            zeros.initialize(repeating: 0, count: max(channels, filters))
            defer {
                for buffer in [v, z, q, zeros, sink] { buffer.deallocate() }
            }
            for index in part {
                let partial = p + index * 16 * kernelSize
                let end = min(batch, (index + 1) * chunk)
                var first = index * chunk
                while first < end {
                    let count = min(group, end - first)
                    self.winogradTransformInput(
                        x, first: first, count: count, into: v, rows: rows, grid: grid, zeros: zeros)
                    if let pooling {
                        self.winogradTransformPooledGradient(
                            dy, pooling, first: first, count: count, into: z, rows: rows, grid: grid,
                            db: partialBias + index * filters)
                    } else {
                        self.winogradTransformGradient(
                            dy, first: first, count: count, into: z, rows: rows, zeros: zeros)
                    }
                    for xi in 0..<16 {
                        MatrixProduct.multiplyOnThisThread(
                            transposeA: true, transposeB: false, m: channels, n: filters, k: count * tiles,
                            a: v + xi * rows * channels, lda: channels, b: z + xi * rows * filters, ldb: filters,
                            beta: first == index * chunk ? 0 : 1, c: partial + xi * kernelSize, ldc: filters)
                    }
                    if needsInputGradient {
                        for xi in 0..<16 {
                            MatrixProduct.multiplyOnThisThread(
                                transposeA: false, transposeB: false, m: count * tiles, n: channels, k: filters,
                                a: z + xi * rows * filters, lda: filters, b: ut + xi * kernelSize, ldb: channels,
                                beta: 0, c: q + xi * rows * channels, ldc: channels)
                        }
                        for b in 0..<count {
                            let target = dx + (first + b) * imageSize
                            target.update(repeating: 0, count: imageSize)
                            Kernels.winogradInputGradient(
                                q + b * tiles * channels, planeStride: rows * channels, channels: channels,
                                tilesH: grid.rows, tilesW: grid.columns, height: height, width: width,
                                padTop: self.padTop, padLeft: self.padLeft, into: target, sink: sink)
                        }
                    }
                    first += count
                }
            }
        }
        // P = the chunks' parts in order (any split of the elements adds the same).
        let total = 16 * kernelSize
        if chunks > 1 {
            Compute.runner.forEachRange(count: total, minimumPerPart: 4096) { elements in
                for index in 1..<chunks {
                    let partial = p + index * total
                    for e in elements { p[e] += partial[e] }
                }
            }
        }
        untransformKernelGradient()
        if pooling != nil {
            Self.addInOrder(partialBias, parts: chunks, length: filters, stride: filters, into: bias.gradient.pointer)
        } else {
            biasGradient(from: dy, rows: batch * self.positions)
        }
        guard needsInputGradient else { return nil }
        return inputGradient
    }

    /// `target` = the first of `parts` sums of `length` values (`stride` apart), then each
    /// other added in order: a gradient summed in fixed chunks, the same bits for any thread count.
    static func addInOrder(
        _ sums: UnsafePointer<Float>, parts: Int, length: Int, stride: Int, into target: UnsafeMutablePointer<Float>
    ) {
        target.update(from: sums, count: length)
        for index in 1..<max(1, parts) {
            let part = sums + index * stride
            for e in 0..<length { target[e] += part[e] }
        }
    }

    /// U[ξ] = G g Gᵀ for each channel and filter, ξ = 4r + s, `[16, channels, filters]`: 16
    /// elements at a time (SIMD lanes: each the same operations, in the same order, as one alone).
    private func transformKernel() {
        let (channels, filters) = (inputShape[2], self.filters)
        let size = channels * filters
        if weightsAreFixed, winogradKernel.rows == 16, winogradKernel.columns == size { return }
        winogradKernel.resize(rows: 16, columns: size)
        let (g, u) = (kernel.value.pointer, winogradKernel.pointer)
        // G's rows on (a, b, c): a, (a + b + c)/2, (a − b + c)/2, c.
        @inline(__always) func lift(_ a: Lanes, _ b: Lanes, _ c: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
            (a, (a + b + c) * 0.5, (a - b + c) * 0.5, c)
        }
        for e in Swift.stride(from: 0, to: size, by: Lanes.scalarCount) {
            let count = min(Lanes.scalarCount, size - e)
            // g[i][j] is kernel row (3i + j)·channels + c, column o; e = c·filters + o.
            func at(_ i: Int, _ j: Int) -> Lanes { Self.load(g + (i * 3 + j) * size + e, count) }
            let c0 = lift(at(0, 0), at(1, 0), at(2, 0))
            let c1 = lift(at(0, 1), at(1, 1), at(2, 1))
            let c2 = lift(at(0, 2), at(1, 2), at(2, 2))
            func store(_ r: Int, _ t: (Lanes, Lanes, Lanes, Lanes)) {
                Self.store(t.0, u + (4 * r) * size + e, count)
                Self.store(t.1, u + (4 * r + 1) * size + e, count)
                Self.store(t.2, u + (4 * r + 2) * size + e, count)
                Self.store(t.3, u + (4 * r + 3) * size + e, count)
            }
            store(0, lift(c0.0, c1.0, c2.0))
            store(1, lift(c0.1, c1.1, c2.1))
            store(2, lift(c0.2, c1.2, c2.2))
            store(3, lift(c0.3, c1.3, c2.3))
        }
    }

    /// dKernel = Gᵀ P G for each channel and filter, from P `[16, channels, filters]`.
    private func untransformKernelGradient() {
        let size = inputShape[2] * filters
        let (p, dg) = (winogradKernelGradient.pointer, kernel.gradient.pointer)
        // Gᵀ's rows on (p0, p1, p2, p3): p0 + (p1 + p2)/2, (p1 − p2)/2, (p1 + p2)/2 + p3.
        @inline(__always) func fold(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes, Lanes) {
            (a + (b + c) * 0.5, (b - c) * 0.5, (b + c) * 0.5 + d)
        }
        for e in Swift.stride(from: 0, to: size, by: Lanes.scalarCount) {
            let count = min(Lanes.scalarCount, size - e)
            func at(_ r: Int, _ s: Int) -> Lanes { Self.load(p + (4 * r + s) * size + e, count) }
            let c0 = fold(at(0, 0), at(1, 0), at(2, 0), at(3, 0))
            let c1 = fold(at(0, 1), at(1, 1), at(2, 1), at(3, 1))
            let c2 = fold(at(0, 2), at(1, 2), at(2, 2), at(3, 2))
            let c3 = fold(at(0, 3), at(1, 3), at(2, 3), at(3, 3))
            func store(_ i: Int, _ t: (Lanes, Lanes, Lanes)) {
                Self.store(t.0, dg + (i * 3) * size + e, count)
                Self.store(t.1, dg + (i * 3 + 1) * size + e, count)
                Self.store(t.2, dg + (i * 3 + 2) * size + e, count)
            }
            store(0, fold(c0.0, c1.0, c2.0, c3.0))
            store(1, fold(c0.1, c1.1, c2.1, c3.1))
            store(2, fold(c0.2, c1.2, c2.2, c3.2))
        }
    }

    /// The kernel transforms' lanes: 16 elements, the last block's missing ones 0 (never stored).
    typealias Lanes = SIMD16<Float>

    @inline(__always) private static func load(_ from: UnsafePointer<Float>, _ count: Int) -> Lanes {
        if count == Lanes.scalarCount { return UnsafeRawPointer(from).loadUnaligned(as: Lanes.self) }
        var lanes = Lanes()
        for lane in 0..<count { lanes[lane] = from[lane] }
        return lanes
    }

    @inline(__always) private static func store(_ lanes: Lanes, _ to: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == Lanes.scalarCount {
            UnsafeMutableRawPointer(to).storeBytes(of: lanes, as: Lanes.self)
            return
        }
        for lane in 0..<count { to[lane] = lanes[lane] }
    }
}
