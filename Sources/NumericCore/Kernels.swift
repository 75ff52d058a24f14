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

    /// Max pooling's backward for one input pixel of `count` channels: `dx[c] += g[c]` where
    /// `x[c]` equals the window's maximum `best[c]`.
    @inline(__always)
    public static func maxPoolBackwardPixel(
        _ dx: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, best: UnsafePointer<Float>,
        gradient g: UnsafePointer<Float>, count: Int
    ) {
        fashion_max_pool_backward_pixel(dx, x, best, g, count)
    }

    /// Runs `iterations` rounds of independent fused multiply-add chains (as many as the
    /// registers hold: 12 for AVX2, 24 for AVX-512) at the kernels' vector width and returns
    /// the floating-point operations done: time it for the FMA ceiling.
    public static func fmaOperations(iterations: Int) -> Double { fashion_fma_operations(iterations) }
}
