// The fast kernels of training. Each hot function body is compiled three times on x86-64
// (AVX-512, AVX2 with FMA, baseline SSE2) and the version matching the CPU is chosen once,
// when the library loads, by __builtin_cpu_supports: the binary runs on any x86-64 CPU and
// never executes an instruction the CPU lacks. Elsewhere (arm64) the baseline is NEON.
// Plain-loop twins live in _TestSupport and the tests compare them. This file: the matrix
// product, Adam, bytes to floats, the FMA probe and im2col; pooling.c and winograd.c the rest.
#include "kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"

#define GEMM_ARGS ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, const float *a, ptrdiff_t ars, \
                  ptrdiff_t acs, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc
typedef void (*gemm_fn)(GEMM_ARGS);

// C[rows, 2W] = alpha * Σ_p A(i, p) B(p, j) + beta * C, with A(i, p) = a[i * ars + p * acs]
// (so A and Aᵀ share the routine) and B rows contiguous; W floats per vector register.
#define DEFINE_TILE(NAME, ATTR, VT, W)                                                             \
    ATTR static inline __attribute__((always_inline)) void NAME(                                   \
        int rows, ptrdiff_t k, float alpha, const float *a, ptrdiff_t ars, ptrdiff_t acs,         \
        const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {                     \
        VT acc[12][2];                                                                             \
        for (int r = 0; r < rows; r++) { acc[r][0] = (VT){0}; acc[r][1] = (VT){0}; }              \
        for (ptrdiff_t p = 0; p < k; p++) {                                                        \
            VT b0 = *(const VT *)(b + p * ldb);                                                    \
            VT b1 = *(const VT *)(b + p * ldb + W);                                                \
            const float *ap = a + p * acs;                                                         \
            for (int r = 0; r < rows; r++) {                                                       \
                float x = ap[r * ars];                                                             \
                acc[r][0] += x * b0;                                                               \
                acc[r][1] += x * b1;                                                               \
            }                                                                                      \
        }                                                                                          \
        for (int r = 0; r < rows; r++) {                                                           \
            VT *c0 = (VT *)(c + r * ldc), *c1 = (VT *)(c + r * ldc + W);                           \
            if (beta == 0) { *c0 = alpha * acc[r][0]; *c1 = alpha * acc[r][1]; }                  \
            else { *c0 = alpha * acc[r][0] + beta * *c0; *c1 = alpha * acc[r][1] + beta * *c1; }  \
        }                                                                                          \
    }

// A tile of fewer rows than MR, with the row count a constant in each case so that the
// accumulators stay in registers.
#define REMAINDER_ROWS(TILE, ROWS, ...)                         \
    switch (ROWS) {                                             \
    case 1: TILE(1, __VA_ARGS__); break;                        \
    case 2: TILE(2, __VA_ARGS__); break;                        \
    case 3: TILE(3, __VA_ARGS__); break;                        \
    case 4: TILE(4, __VA_ARGS__); break;                        \
    case 5: TILE(5, __VA_ARGS__); break;                        \
    case 6: TILE(6, __VA_ARGS__); break;                        \
    case 7: TILE(7, __VA_ARGS__); break;                        \
    case 8: TILE(8, __VA_ARGS__); break;                        \
    case 9: TILE(9, __VA_ARGS__); break;                        \
    case 10: TILE(10, __VA_ARGS__); break;                      \
    default: TILE(11, __VA_ARGS__); break;                      \
    }

// The whole product in tiles of MR x 2W. The columns past the last whole tile go through the
// same tile on a zero-padded copy of B's last columns, into a scratch tile.
#define DEFINE_GEMM(NAME, TILE, ATTR, MR, W)                                                       \
    ATTR static void NAME(GEMM_ARGS) {                                                             \
        const ptrdiff_t nr = 2 * W;                                                                \
        ptrdiff_t whole = n - n % nr;                                                              \
        /* Rows outside, column panels inside: a tile's rows of A stay in L1 across the panels. */ \
        ptrdiff_t i0 = 0;                                                                          \
        for (; i0 + MR <= m; i0 += MR)                                                             \
            for (ptrdiff_t j0 = 0; j0 < whole; j0 += nr)                                           \
                TILE(MR, k, alpha, a + i0 * ars, ars, acs, b + j0, ldb, beta, c + i0 * ldc + j0, ldc); \
        if (i0 < m)                                                                                \
            for (ptrdiff_t j0 = 0; j0 < whole; j0 += nr)                                           \
                REMAINDER_ROWS(TILE, (int)(m - i0), k, alpha, a + i0 * ars, ars, acs, b + j0, ldb, beta, \
                               c + i0 * ldc + j0, ldc);                                            \
        if (whole == n) return;                                                                    \
        ptrdiff_t rest = n - whole;                                                                \
        float onStack[2048];                                                                       \
        size_t needed = (size_t)(k > 0 ? k : 1) * (size_t)nr;                                      \
        float *panel = needed <= 2048 ? onStack : malloc(needed * sizeof(float));                  \
        if (!panel) { edge_columns(m, whole, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc); return; } \
        memset(panel, 0, needed * sizeof(float));                                                  \
        for (ptrdiff_t p = 0; p < k; p++)                                                          \
            for (ptrdiff_t j = 0; j < rest; j++) panel[p * nr + j] = b[p * ldb + whole + j];       \
        float scratch[12 * 32];                                                                    \
        for (ptrdiff_t i0 = 0; i0 < m; i0 += MR) {                                                 \
            int rows = (int)(m - i0 < MR ? m - i0 : MR);                                           \
            if (rows == MR) TILE(MR, k, 1, a + i0 * ars, ars, acs, panel, nr, 0, scratch, nr);     \
            else REMAINDER_ROWS(TILE, rows, k, 1, a + i0 * ars, ars, acs, panel, nr, 0, scratch, nr); \
            for (int r = 0; r < rows; r++)                                                         \
                for (ptrdiff_t j = 0; j < rest; j++) {                                             \
                    float *out = c + (i0 + r) * ldc + whole + j;                                   \
                    *out = alpha * scratch[r * nr + j] + (beta == 0 ? 0 : beta * *out);            \
                }                                                                                  \
        }                                                                                          \
        if (panel != onStack) free(panel);                                                         \
    }

// Plain loops for the last columns, used only when memory for the padded panel runs out.
static void edge_columns(ptrdiff_t m, ptrdiff_t j0, ptrdiff_t n, ptrdiff_t k, float alpha, const float *a,
                         ptrdiff_t ars, ptrdiff_t acs, const float *b, ptrdiff_t ldb, float beta, float *c,
                         ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = j0; j < n; j++) {
            float sum = 0;
            for (ptrdiff_t p = 0; p < k; p++) sum += a[i * ars + p * acs] * b[p * ldb + j];
            c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j]);
        }
}

typedef float v4 __attribute__((vector_size(16), aligned(4)));
typedef float v8 __attribute__((vector_size(32), aligned(4)));  // also the transposed copy's, on any CPU
DEFINE_TILE(tile_baseline, , v4, 4)
DEFINE_GEMM(gemm_baseline, tile_baseline, , 4, 4)
#ifdef X86
typedef float v16 __attribute__((vector_size(64), aligned(4)));
DEFINE_TILE(tile_avx2, AVX2, v8, 8)
DEFINE_GEMM(gemm_avx2, tile_avx2, AVX2, 6, 8)
DEFINE_TILE(tile_avx512, AVX512, v16, 16)
DEFINE_GEMM(gemm_avx512, tile_avx512, AVX512, 12, 16)
#endif

#define ADAM_ARGS float *theta, const float *g, float *m, float *v, ptrdiff_t n, float alpha, float beta1, \
                  float beta2, float epsilon, float decay
#define ADAM_BODY                                                           \
    {                                                                       \
        if (decay > 0)                                                      \
            for (ptrdiff_t i = 0; i < n; i++) theta[i] -= theta[i] * decay; \
        float c1 = 1 - beta1, c2 = 1 - beta2;                               \
        for (ptrdiff_t i = 0; i < n; i++) {                                 \
            float gi = g[i];                                                \
            m[i] += (gi - m[i]) * c1;                                       \
            v[i] += (gi * gi - v[i]) * c2;                                  \
            theta[i] -= alpha * m[i] / (sqrtf(v[i]) + epsilon);             \
        }                                                                   \
    }
typedef void (*adam_fn)(ADAM_ARGS);
static void adam_baseline(ADAM_ARGS) ADAM_BODY
#ifdef X86
AVX2 static void adam_avx2(ADAM_ARGS) ADAM_BODY
AVX512 static void adam_avx512(ADAM_ARGS) ADAM_BODY
#endif

#define UNIT_ARGS const uint8_t *src, float *dst, ptrdiff_t n
#define UNIT_BODY { for (ptrdiff_t i = 0; i < n; i++) dst[i] = (float)src[i] / 255.0f; }
typedef void (*unit_fn)(UNIT_ARGS);
static void unit_baseline(UNIT_ARGS) UNIT_BODY
#ifdef X86
AVX2 static void unit_avx2(UNIT_ARGS) UNIT_BODY
AVX512 static void unit_avx512(UNIT_ARGS) UNIT_BODY
#endif

// 0 baseline, 1 AVX2 with FMA, 2 AVX-512. FASHION_KERNELS=baseline or avx2 forces a lower
// level (to test those paths on a machine that has more).
int fashion_isa_level;
static gemm_fn chosen_gemm = gemm_baseline;
static adam_fn chosen_adam = adam_baseline;
static unit_fn chosen_unit = unit_baseline;

__attribute__((constructor)) static void choose_kernels(void) {
#ifdef X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) fashion_isa_level = 1;
    if (fashion_isa_level == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        fashion_isa_level = 2;
    const char *forced = getenv("FASHION_KERNELS");
    if (forced && strcmp(forced, "baseline") == 0) fashion_isa_level = 0;
    if (forced && strcmp(forced, "avx2") == 0 && fashion_isa_level > 1) fashion_isa_level = 1;
    if (fashion_isa_level == 2) { chosen_gemm = gemm_avx512; chosen_adam = adam_avx512; chosen_unit = unit_avx512; }
    if (fashion_isa_level == 1) { chosen_gemm = gemm_avx2; chosen_adam = adam_avx2; chosen_unit = unit_avx2; }
#endif
}

// A long sum (a weight gradient over a batch's positions) in blocks of K_BLOCK terms, so
// that a block's rows of A and B stay in L2 while every tile of C passes over them (512:
// conv2's weight gradient went from 76 to 85 GFLOP/s on Zen 5; 256 and 1024 were slower).
// The blocks' bounds depend on k alone, so any split of C over threads adds the same.
#define K_BLOCK 512
static void gemm_in_blocks(gemm_fn gemm, GEMM_ARGS) {
    if (k <= 2 * K_BLOCK) {
        gemm(m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc);
        return;
    }
    for (ptrdiff_t p0 = 0; p0 < k; p0 += K_BLOCK) {
        ptrdiff_t kc = k - p0 < K_BLOCK ? k - p0 : K_BLOCK;
        gemm(m, n, kc, alpha, a + p0 * acs, ars, acs, b + p0 * ldb, ldb, p0 == 0 ? beta : 1, c, ldc);
    }
}

// packed[p * n + j] = b[j * ldb + p] for p < k, j < n: op(B) = Bᵀ as rows for the product.
// Blocks of 8 x 8 go through registers (8 rows loaded, interleaved in three rounds, 8 rows
// stored: 40 vector operations for 64 floats; one float at a time was 2.6% of the reference
// CNN's epoch, its dense layer's input gradient); the edges one float at a time.
#define PACK_ARGS const float *restrict b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t n, float *restrict packed
#define TRANSPOSE_8X8(from, ldf, to, ldt)                                                          \
    {                                                                                              \
        v8 r[8], t[8], s[8];                                                                       \
        for (int i = 0; i < 8; i++) r[i] = *(const v8 *)((from) + i * (ldf));                      \
        for (int i = 0; i < 8; i += 2) {                                                           \
            t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);              \
            t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);        \
        }                                                                                          \
        for (int i = 0; i < 8; i += 4) {                                                           \
            s[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);              \
            s[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);        \
            s[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);      \
            s[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);    \
        }                                                                                          \
        for (int i = 0; i < 4; i++) {                                                              \
            *(v8 *)((to) + i * (ldt)) = __builtin_shufflevector(s[i], s[i + 4], 0, 1, 2, 3, 8, 9, 10, 11); \
            *(v8 *)((to) + (i + 4) * (ldt)) =                                                      \
                __builtin_shufflevector(s[i], s[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);               \
        }                                                                                          \
    }
#define PACK_BODY                                                                                  \
    {                                                                                              \
        ptrdiff_t j0 = 0;                                                                          \
        for (; j0 + 8 <= n; j0 += 8) {                                                             \
            ptrdiff_t p0 = 0;                                                                      \
            for (; p0 + 8 <= k; p0 += 8) TRANSPOSE_8X8(b + j0 * ldb + p0, ldb, packed + p0 * n + j0, n) \
            for (ptrdiff_t p = p0; p < k; p++)                                                     \
                for (ptrdiff_t j = j0; j < j0 + 8; j++) packed[p * n + j] = b[j * ldb + p];        \
        }                                                                                          \
        for (ptrdiff_t p = 0; p < k; p++)                                                          \
            for (ptrdiff_t j = j0; j < n; j++) packed[p * n + j] = b[j * ldb + p];                 \
    }
ISA_CLONES(pack_transposed, PACK_ARGS, PACK_BODY)

static void pack_transposed_at(int level, PACK_ARGS) {
#ifdef X86
    if (level == 2) { pack_transposed_avx512(b, ldb, k, n, packed); return; }
    if (level == 1) { pack_transposed_avx2(b, ldb, k, n, packed); return; }
#endif
    (void)level;
    pack_transposed_baseline(b, ldb, k, n, packed);
}

static void sgemm_with(gemm_fn gemm, int level, int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       float alpha, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c,
                       ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    // A(i, p): row-major A is a[i * lda + p]; transposed, a[p * lda + i].
    ptrdiff_t ars = transpose_a ? 1 : lda, acs = transpose_a ? lda : 1;
    if (!transpose_b) {
        gemm_in_blocks(gemm, m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc);
        return;
    }
    // op(B) = Bᵀ: copy it into k x n rows first (small in training: the input gradients).
    float *packed = malloc(sizeof(float) * (size_t)(k > 0 ? k : 1) * (size_t)n);
    if (!packed) {  // out of memory: the slow loop, which needs none
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) {
                float sum = 0;
                for (ptrdiff_t p = 0; p < k; p++) sum += a[i * ars + p * acs] * b[j * ldb + p];
                c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j]);
            }
        return;
    }
    pack_transposed_at(level, b, ldb, k, n, packed);
    gemm_in_blocks(gemm, m, n, k, alpha, a, ars, acs, packed, n, beta, c, ldc);
    free(packed);
}

void fashion_sgemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {
    sgemm_with(chosen_gemm, fashion_isa_level, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void fashion_sgemm_at_level(int requested, int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            float alpha, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta,
                            float *c, ptrdiff_t ldc) {
    int use = requested < fashion_isa_level ? requested : fashion_isa_level;
    gemm_fn gemm = gemm_baseline;
#ifdef X86
    if (use == 2) gemm = gemm_avx512;
    if (use == 1) gemm = gemm_avx2;
#endif
    sgemm_with(gemm, use, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void fashion_adam_update(ADAM_ARGS) { chosen_adam(theta, g, m, v, n, alpha, beta1, beta2, epsilon, decay); }

void fashion_bytes_to_unit(UNIT_ARGS) { chosen_unit(src, dst, n); }

void fashion_prefetch(const void *start, ptrdiff_t bytes) { PREFETCH_BYTES(start, bytes, 0) }

void fashion_transpose(PACK_ARGS) { pack_transposed_at(fashion_isa_level, b, ldb, k, n, packed); }

const char *fashion_kernel_level(void) {
    return fashion_isa_level == 2 ? "avx512" : fashion_isa_level == 1 ? "avx2" : "baseline";
}

void fashion_spin_pause(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

// The machine's multiply-add ceiling, for benchmarks: N independent chains of fused
// multiply-adds at the widest vector width the kernels use, for `iterations` rounds.
// Returns the number of floating-point operations done (2 per lane per FMA). The chains
// must all stay in registers with the two operands: 12 of AVX2's 16 ymm registers (24
// would spill to memory and undercount by a fifth), 24 of AVX-512's 32 zmm ones. Twelve
// chains cover an FMA latency of 4 cycles on two ports with room to spare.
#define PEAK_BODY(VT, W, N)                                                        \
    {                                                                              \
        VT a[N];                                                                   \
        for (int j = 0; j < N; j++) a[j] = (VT){0} + (float)j;                     \
        VT x = (VT){0} + 0.5f, y = (VT){0} + 0.5f;                                 \
        for (long i = 0; i < iterations; i++) {                                    \
            for (int j = 0; j < N; j++) a[j] = a[j] * x + y;                       \
            __asm__ volatile("" : "+x"(a[0]), "+x"(a[N / 2]), "+x"(a[N - 1]));     \
        }                                                                          \
        float sum = 0;                                                             \
        for (int j = 0; j < N; j++) sum += a[j][0];                                \
        *sink = sum;                                                               \
        return 2.0 * N * W * (double)iterations;                                   \
    }
static double peak_baseline(long iterations, float *sink) PEAK_BODY(v4, 4, 12)
#ifdef X86
AVX2 static double peak_avx2(long iterations, float *sink) PEAK_BODY(v8, 8, 12)
AVX512 static double peak_avx512(long iterations, float *sink) PEAK_BODY(v16, 16, 24)
#endif

double fashion_fma_operations(long iterations) {
    float sink;
#ifdef X86
    if (fashion_isa_level == 2) return peak_avx512(iterations, &sink);
    if (fashion_isa_level == 1) return peak_avx2(iterations, &sink);
#endif
    return peak_baseline(iterations, &sink);
}

// im2col for one image: row y * out_width + x of `rows` is the k x k window at (y, x) of the
// stride-`stride` convolution, [i, j, c], zero outside the image (pad_top, pad_left).
void fashion_im2col(float *restrict rows, const float *restrict image, ptrdiff_t height, ptrdiff_t width,
                    ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t k, ptrdiff_t stride,
                    ptrdiff_t pad_top, ptrdiff_t pad_left) {
    ptrdiff_t span = k * channels, depth = k * span;
    for (ptrdiff_t y = 0; y < out_height; y++)
        for (ptrdiff_t x = 0; x < out_width; x++) {
            float *row = rows + (y * out_width + x) * depth;
            ptrdiff_t left = x * stride - pad_left;
            for (ptrdiff_t i = 0; i < k; i++) {
                ptrdiff_t sy = y * stride + i - pad_top;
                float *target = row + i * span;
                if (sy < 0 || sy >= height) {
                    for (ptrdiff_t e = 0; e < span; e++) target[e] = 0;
                } else if (left >= 0 && left + k <= width) {
                    const float *source = image + (sy * width + left) * channels;
                    for (ptrdiff_t e = 0; e < span; e++) target[e] = source[e];
                } else {
                    for (ptrdiff_t j = 0; j < k; j++) {
                        ptrdiff_t sx = left + j;
                        float *pixel = target + j * channels;
                        if (sx >= 0 && sx < width) {
                            const float *source = image + (sy * width + sx) * channels;
                            for (ptrdiff_t c = 0; c < channels; c++) pixel[c] = source[c];
                        } else {
                            for (ptrdiff_t c = 0; c < channels; c++) pixel[c] = 0;
                        }
                    }
                }
            }
        }
}
