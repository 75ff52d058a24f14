import _Kernels

/// The elementwise kernels of `_Kernels` (C, compiled per instruction set and chosen at load
/// time), as the rest of the project reaches them: NumericCore is the one door to the kernels
/// and BLAS. Each has a plain-loop twin in `_TestSupport.ReferenceKernels`.
public enum Kernels {
    /// One Adam step for `count` values, in Keras's form: `m += (g - m)(1 - beta1)`,
    /// `v += (g² - v)(1 - beta2)`, with `decay > 0` first `theta -= theta·decay`, then
    /// `theta -= alpha·m / (√v + epsilon)` (the bias corrections folded into `alpha`).
    @inline(__always)
    public static func adamUpdate(
        theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, count: Int, alpha: Float, beta1: Float, beta2: Float, epsilon: Float,
        decay: Float
    ) {
        fashion_adam_update(theta, gradient, m, v, count, alpha, beta1, beta2, epsilon, decay)
    }

    /// `target[i] = source[i] / 255`, exactly (a division), for `count` bytes.
    @inline(__always)
    public static func bytesToUnit(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, count: Int)
    {
        fashion_bytes_to_unit(source, target, count)
    }

    /// `target[c·rows + r] = source[r·rowStride + c]` for `rows` x `columns` values: the block
    /// transposed (a copy, in 8 x 8 register blocks; the same as the plain loop, bit for bit).
    @inline(__always)
    public static func transpose(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        fashion_transpose(source, rowStride, columns, rows, target)
    }

    /// Asks the caches for `count` bytes from `start`: a hint, which changes no result.
    @inline(__always)
    public static func prefetch(_ start: UnsafeRawPointer, count: Int) {
        fashion_prefetch(start, count)
    }

    /// im2col for one image `[height, width, channels]`: row `y·outWidth + x` of `rows` is the
    /// `k`×`k` window at (y, x) of a convolution of `stride`, `[i, j, c]`, zero outside the image
    /// (`padTop` rows above it, `padLeft` columns to its left).
    @inline(__always)
    public static func im2col(
        _ rows: UnsafeMutablePointer<Float>, image: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
        outHeight: Int, outWidth: Int, k: Int, stride: Int, padTop: Int, padLeft: Int
    ) {
        fashion_im2col(rows, image, height, width, channels, outHeight, outWidth, k, stride, padTop, padLeft)
    }

    /// Max pooling's backward on one image `[height, width, channels]` whose `size`×`size`
    /// windows tile it (stride `size`, no padding): `dx = g` of the window where `x` equals
    /// its maximum `best`, else 0, and 0 where no window reaches.
    @inline(__always)
    public static func tiledMaxPoolBackward(
        _ dx: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, best: UnsafePointer<Float>,
        gradient g: UnsafePointer<Float>, height: Int, width: Int, channels: Int, outHeight: Int, outWidth: Int,
        size: Int
    ) {
        fashion_max_pool_tiled_backward(dx, x, best, g, height, width, channels, outHeight, outWidth, size)
    }

    /// Max pooling 2x2, stride 2, on one image (rows of `width`×`channels`; `outHeight`×`outWidth`
    /// windows inside it): `y` = each window's maximum of `x + bias` (none when nil; as
    /// `max(best, v)` from −∞, in the order top left, top right, bottom left, bottom right),
    /// and with `relu` max(0, that); `mask` = the bits 1, 2, 4, 8 of the window's pixels, in
    /// that order, that equal the maximum.
    @inline(__always)
    public static func maxPool2(
        _ y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, input x: UnsafePointer<Float>,
        bias: UnsafePointer<Float>? = nil, relu: Bool = false, width: Int, channels: Int, outHeight: Int,
        outWidth: Int
    ) {
        fashion_max_pool2(y, mask, x, bias, relu ? 1 : 0, width, channels, outHeight, outWidth)
    }

    /// A stride-1 convolution of one image (rows of `rowStride` floats, padded already; kernel
    /// `[k][k·channels][filters]`, `filters` a multiple of 16) and the 2x2 max pooling of its
    /// output with the bias, as `maxPool2` pools it; the convolution's output is not written.
    @inline(__always)
    public static func convolveMaxPool2(
        _ y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, input x: UnsafePointer<Float>,
        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool, rowStride: Int, channels: Int,
        kernelSize: Int, filters: Int, outHeight: Int, outWidth: Int
    ) {
        fashion_convolve_max_pool2(
            y, mask, x, kernel, bias, relu ? 1 : 0, rowStride, channels, kernelSize, filters, outHeight, outWidth)
    }

    /// Its kernel and bias gradients from one image, added onto `kernelGradient` and
    /// `biasGradient`: the pooled gradient `g` (times `rectified > 0` first, when given) spread
    /// by `mask` to the windows' pixels, times the image's values at each tap.
    @inline(__always)
    public static func convolveMaxPool2Gradient(
        kernelGradient dk: UnsafeMutablePointer<Float>, biasGradient db: UnsafeMutablePointer<Float>,
        mask: UnsafePointer<UInt8>, gradient g: UnsafePointer<Float>, rectified y: UnsafePointer<Float>?,
        input x: UnsafePointer<Float>, rowStride: Int, channels: Int, kernelSize: Int, filters: Int, outHeight: Int,
        outWidth: Int
    ) {
        fashion_convolve_max_pool2_gradient(
            dk, db, mask, g, y, x, rowStride, channels, kernelSize, filters, outHeight, outWidth)
    }

    /// Its backward on one image `[height, width, channels]`: `dx` = the window's `g` where
    /// `mask` has the pixel, else 0, and 0 where no window reaches. With `rectified` (the
    /// output of `relu`), `g` is first `g·(y > 0)`, the ReLU's backward; with `biasGradient`,
    /// that adds each `g` times the pixels it went to.
    @inline(__always)
    public static func maxPool2Backward(
        _ dx: UnsafeMutablePointer<Float>, mask: UnsafePointer<UInt8>, gradient g: UnsafePointer<Float>,
        rectified: UnsafePointer<Float>? = nil, biasGradient: UnsafeMutablePointer<Float>? = nil, height: Int,
        width: Int, channels: Int, outHeight: Int, outWidth: Int
    ) {
        fashion_max_pool2_backward(dx, mask, g, rectified, biasGradient, height, width, channels, outHeight, outWidth)
    }

    /// Max pooling's backward for one input pixel of `count` channels: `dx[c] += g[c]` where
    /// `x[c]` equals the window's maximum `best[c]`.
    @inline(__always)
    public static func maxPoolBackwardPixel(
        _ dx: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, best: UnsafePointer<Float>,
        gradient g: UnsafePointer<Float>, count: Int
    ) {
        fashion_max_pool_backward_pixel(dx, x, best, g, count)
    }

    /// Winograd F(2x2, 3x3), the input transform of one NHWC image: `V = Bᵀ d B` for each
    /// tile of `tilesH`×`tilesW` (tile (ty, tx) reads from row 2ty − `padTop`, column
    /// 2tx − `padLeft`, zero outside); value ξ of a tile's channels at `v + ξ·planeStride +
    /// tile·channels`. `zeros`: `channels` zeros.
    @inline(__always)
    public static func winogradInput(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, tilesH: Int, tilesW: Int, padTop: Int,
        padLeft: Int, into v: UnsafeMutablePointer<Float>, planeStride: Int, zeros: UnsafePointer<Float>
    ) {
        fashion_winograd_input(image, height, width, channels, tilesH, tilesW, padTop, padLeft, v, planeStride, zeros)
    }

    /// The output transform: `Y = Aᵀ M A + bias` per tile into the `outHeight`×`outWidth`
    /// image of `filters` (what falls past it into `sink`, 4·`filters` floats).
    @inline(__always)
    public static func winogradOutput(
        _ m: UnsafePointer<Float>, planeStride: Int, filters: Int, tilesH: Int, tilesW: Int, outHeight: Int,
        outWidth: Int, bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
        sink: UnsafeMutablePointer<Float>
    ) {
        fashion_winograd_output(m, planeStride, filters, tilesH, tilesW, outHeight, outWidth, bias, output, sink)
    }

    /// The output transform and a 2x2 max pooling: `Y = Aᵀ M A + bias` per tile, and each of
    /// the first `pooledHeight`×`pooledWidth` tiles (a tile is a pooling window) pooled as
    /// `maxPool2` pools, into `y` and `mask` (with `relu`, y = max(0, y)).
    @inline(__always)
    public static func winogradOutputPool(
        _ m: UnsafePointer<Float>, planeStride: Int, filters: Int, tilesW: Int, pooledHeight: Int, pooledWidth: Int,
        bias: UnsafePointer<Float>, relu: Bool, into y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>
    ) {
        fashion_winograd_output_pool(
            m, planeStride, filters, tilesW, pooledHeight, pooledWidth, bias, relu ? 1 : 0, y, mask)
    }

    /// Its backward: `Z = A dY Aᵀ`, dY the pooled gradient spread by the mask as
    /// `maxPool2Backward` spreads it (`g·(y > 0)` first with the rectified output), zero for
    /// the tiles that are no window; `biasGradient` += each `g` times the pixels it went to.
    @inline(__always)
    public static func winogradPooledGradient(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, rectified: UnsafePointer<Float>?,
        biasGradient: UnsafeMutablePointer<Float>, pooledHeight: Int, pooledWidth: Int, filters: Int, tilesH: Int,
        tilesW: Int, into z: UnsafeMutablePointer<Float>, planeStride: Int
    ) {
        fashion_winograd_pooled_gradient(
            g, mask, rectified, biasGradient, pooledHeight, pooledWidth, filters, tilesH, tilesW, z, planeStride)
    }

    /// The output gradient's transform: `Z = A dY Aᵀ` per tile (dY zero past the output).
    @inline(__always)
    public static func winogradOutputGradient(
        _ dy: UnsafePointer<Float>, outHeight: Int, outWidth: Int, filters: Int, tilesH: Int, tilesW: Int,
        into z: UnsafeMutablePointer<Float>, planeStride: Int, zeros: UnsafePointer<Float>
    ) {
        fashion_winograd_output_gradient(dy, outHeight, outWidth, filters, tilesH, tilesW, z, planeStride, zeros)
    }

    /// The input gradient's transform: `dx += B Q Bᵀ` tile by tile, in order, where the input
    /// exists (`sink`: 16·`channels` floats of scratch). `dx` must start at zero.
    @inline(__always)
    public static func winogradInputGradient(
        _ q: UnsafePointer<Float>, planeStride: Int, channels: Int, tilesH: Int, tilesW: Int, height: Int, width: Int,
        padTop: Int, padLeft: Int, into dx: UnsafeMutablePointer<Float>, sink: UnsafeMutablePointer<Float>
    ) {
        fashion_winograd_input_gradient(
            q, planeStride, channels, tilesH, tilesW, height, width, padTop, padLeft, dx, sink)
    }

    /// Runs `iterations` rounds of independent fused multiply-add chains (as many as the
    /// registers hold: 12 for AVX2, 24 for AVX-512) at the kernels' vector width and returns
    /// the floating-point operations done: time it for the FMA ceiling.
    public static func fmaOperations(iterations: Int) -> Double { fashion_fma_operations(iterations) }
}
