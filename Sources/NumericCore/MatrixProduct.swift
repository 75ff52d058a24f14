import _CBLAS
import _Kernels

/// The one place that talks to BLAS. Everything in training that multiplies matrices calls
/// `MatrixProduct.multiply`; `_TestSupport.ReferenceKernels.multiply` is its plain-loop twin
/// and the tests compare the two on random shapes.
public enum MatrixProduct {
    /// C = alpha * op(A) * op(B) + beta * C, all row-major, where op(X) is X or its transpose.
    /// op(A) is `[m, k]`, op(B) is `[k, n]`, C is `[m, n]`; `lda`, `ldb`, `ldc` are the row
    /// strides of A, B and C as stored.
    public enum Backend: Equatable, Sendable, CustomStringConvertible {
        /// The project's own kernels (`_Kernels`), chosen by CPU features at load time.
        case kernels
        /// The project's kernels at a given instruction-set level (0 baseline, 1 AVX2,
        /// 2 AVX-512, capped at what the CPU has), to test every path on one machine.
        case kernelsAtLevel(Int)
        /// The system BLAS (OpenBLAS), for comparison in benchmarks.
        case blas

        public static let compared: [Backend] = [.kernels, .blas]

        public var description: String {
            switch self {
            case .kernels: return "kernels"
            case .kernelsAtLevel(let level): return "kernels-level-\(level)"
            case .blas: return "blas"
            }
        }
    }

    /// The instruction-set level of the kernels on this CPU: "avx512", "avx2" or "baseline".
    public static var kernelLevel: String { String(cString: fashion_kernel_level()) }

    public static func multiply(
        backend: Backend = .kernels, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        switch backend {
        case .kernels:
            let runner = Compute.runner
            // Worth splitting from about 100k multiply-adds. The longer side of C is split:
            // columns in tile-wide blocks, or rows in blocks of whole tiles, so that each thread
            // writes its own cache lines. Every element is still computed by one thread in the
            // same order, so the result is the same for any thread count.
            if runner.threadCount > 1 && m * n * k >= 100_000 && (n >= 64 || m >= 48) {
                let ta: Int32 = transposeA ? 1 : 0
                let tb: Int32 = transposeB ? 1 : 0
                if n >= 64 && n >= m {
                    runner.forEachRange(count: n, alignment: 32) { columns in
                        let bOffset = transposeB ? columns.lowerBound * ldb : columns.lowerBound
                        fashion_sgemm(
                            ta, tb, m, columns.count, k, alpha, a, lda, b + bOffset, ldb, beta, c + columns.lowerBound,
                            ldc)
                    }
                } else {
                    runner.forEachRange(count: m, alignment: 24) { rows in
                        let aOffset = transposeA ? rows.lowerBound : rows.lowerBound * lda
                        fashion_sgemm(
                            ta, tb, rows.count, n, k, alpha, a + aOffset, lda, b, ldb, beta, c + rows.lowerBound * ldc,
                            ldc)
                    }
                }
                return
            }
            fashion_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        case .kernelsAtLevel(let level):
            fashion_sgemm_at_level(
                Int32(level), transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        case .blas:
            break
        }
        guard k > 0 else {
            // An empty sum: C = beta * C (BLAS would do the same, but may not be called with k = 0).
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same product with the project's kernels on the calling thread alone: for callers
    /// that already split their work between threads (a convolution, image by image).
    public static func multiplyOnThisThread(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>,
        lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        fashion_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// How many threads OpenBLAS itself may use for the `.blas` backend (by default it takes
    /// every core, which makes a "one thread" comparison unfair).
    public static func setBLASThreads(_ threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }
}
