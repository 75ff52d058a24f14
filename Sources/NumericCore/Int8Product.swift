import _Kernels

/// The 8-bit matrix product of quantized inference (`_Kernels/quantized.c`): unsigned byte
/// inputs times signed byte weights in [-127, 127], summed in 32-bit integers, exactly, so
/// every path gives the same sums. Its plain-loop twin is `_TestSupport.ReferenceKernels.int8Product`.
public enum Int8Product {
    /// How the product runs: AVX-512 VNNI (`vpdpbusd`), AVX2 (`vpmaddwd` on widened bytes) or
    /// plain loops. The weights are packed for one path.
    public enum Path: Int, Sendable, CaseIterable {
        case portable = 0
        case avx2 = 1
        case vnni = 2

        public var name: String {
            switch self {
            case .portable: "portable"
            case .avx2: "avx2"
            case .vnni: "avx512-vnni"
            }
        }
    }

    /// The fastest path this CPU has (`FASHION_KERNELS=avx2` or `baseline` lowers it).
    public static var best: Path { Path(rawValue: Int(fashion_int8_path())) ?? .portable }

    /// `k` rounded up to a multiple of 4: the bytes of each input row the product reads.
    public static func paddedDepth(_ k: Int) -> Int { (k + 3) / 4 * 4 }
    /// `n` rounded up to a multiple of 16: the columns of the sums the product writes.
    public static func paddedColumns(_ n: Int) -> Int { (n + 15) / 16 * 16 }
    /// The bytes the packed weights of a `k` x `n` matrix take on any path.
    public static func packedBytes(k: Int, n: Int) -> Int { fashion_int8_packed_bytes(k, n) }

    /// Packs row-major `k` x `n` weights for `path` into `packedBytes(k:n:)` bytes at `target`.
    public static func pack(
        _ weights: UnsafePointer<Int8>, k: Int, n: Int, path: Path, into target: UnsafeMutableRawPointer
    ) {
        fashion_int8_pack(Int32(path.rawValue), weights, k, n, target)
    }

    /// `c[i·ldc + j] = Σ_p a[i·lda + p] · w[p, j]` for `i < m`, `j < paddedColumns(n)`; each row
    /// of `a` has `paddedDepth(k)` readable bytes. `packed` must be packed for `path`, a path
    /// this CPU has.
    public static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<UInt8>, lda: Int, packed: UnsafeRawPointer, path: Path,
        c: UnsafeMutablePointer<Int32>, ldc: Int
    ) {
        fashion_int8_gemm(Int32(path.rawValue), m, n, k, a, lda, packed, c, ldc)
    }

    /// `q[i] = clamp(round-half-even(x[i] / scale) + zeroPoint, 0, 255)`, as ONNX's QuantizeLinear.
    public static func quantize(
        _ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int32, into q: UnsafeMutablePointer<UInt8>
    ) {
        fashion_int8_quantize(x, count, scale, zeroPoint, q)
    }

    /// `y[i·ldy + j] = c[i·ldc + j] · scale[j] + offset[j]` for `i < m`, `j < n`.
    public static func dequantize(
        _ c: UnsafePointer<Int32>, ldc: Int, m: Int, n: Int, scale: UnsafePointer<Float>,
        offset: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        fashion_int8_dequantize(c, ldc, m, n, scale, offset, y, ldy)
    }

    /// im2col of one uint8 image `[height, width, channels]`: row `y·outWidth + x` (at `rows +
    /// that·rowStride`) is the `k`x`k` window at (y, x), `[i, j, c]`, `zero` outside the image.
    public static func im2col(
        _ rows: UnsafeMutablePointer<UInt8>, rowStride: Int, image: UnsafePointer<UInt8>, height: Int, width: Int,
        channels: Int, outHeight: Int, outWidth: Int, k: Int, stride: Int, padTop: Int, padLeft: Int, zero: UInt8
    ) {
        fashion_int8_im2col(
            rows, rowStride, image, height, width, channels, outHeight, outWidth, k, stride, padTop, padLeft, zero)
    }

    /// One output image's sums (`width` pixels a row, `ldc` apart) pooled 2x2 and dequantized:
    /// `y[(py·outWidth + px)·n + o]` = the window's largest `c[·][o]` times `scale[o]` plus
    /// `offset[o]` (with `relu`, at least 0). Every `scale` must be above 0.
    public static func dequantizePooled(
        _ c: UnsafePointer<Int32>, ldc: Int, width: Int, n: Int, outHeight: Int, outWidth: Int,
        scale: UnsafePointer<Float>, offset: UnsafePointer<Float>, relu: Bool, into y: UnsafeMutablePointer<Float>
    ) {
        fashion_int8_dequantize_pool2(c, ldc, width, n, outHeight, outWidth, scale, offset, relu ? 1 : 0, y)
    }
}
