// The fast kernels of training. Each hot function body is compiled three times on x86-64
// (AVX-512, AVX2 with FMA, baseline SSE2) and the version matching the CPU is chosen once,
// when the library loads, by __builtin_cpu_supports: the binary runs on any x86-64 CPU and
// never executes an instruction the CPU lacks. Elsewhere (arm64) the baseline is NEON.
// Plain-loop twins live in _TestSupport and the tests compare them.
#include "kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define X86 1
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2")))
#define AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))
#endif

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
DEFINE_TILE(tile_baseline, , v4, 4)
DEFINE_GEMM(gemm_baseline, tile_baseline, , 4, 4)
#ifdef X86
typedef float v8 __attribute__((vector_size(32), aligned(4)));
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
static int level;
static gemm_fn chosen_gemm = gemm_baseline;
static adam_fn chosen_adam = adam_baseline;
static unit_fn chosen_unit = unit_baseline;

__attribute__((constructor)) static void choose_kernels(void) {
#ifdef X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
    if (level == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        level = 2;
    const char *forced = getenv("FASHION_KERNELS");
    if (forced && strcmp(forced, "baseline") == 0) level = 0;
    if (forced && strcmp(forced, "avx2") == 0 && level > 1) level = 1;
    if (level == 2) { chosen_gemm = gemm_avx512; chosen_adam = adam_avx512; chosen_unit = unit_avx512; }
    if (level == 1) { chosen_gemm = gemm_avx2; chosen_adam = adam_avx2; chosen_unit = unit_avx2; }
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

static void sgemm_with(gemm_fn gemm, int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
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
    for (ptrdiff_t j = 0; j < n; j++)
        for (ptrdiff_t p = 0; p < k; p++) packed[p * n + j] = b[j * ldb + p];
    gemm_in_blocks(gemm, m, n, k, alpha, a, ars, acs, packed, n, beta, c, ldc);
    free(packed);
}

void fashion_sgemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {
    sgemm_with(chosen_gemm, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void fashion_sgemm_at_level(int requested, int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            float alpha, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta,
                            float *c, ptrdiff_t ldc) {
    int use = requested < level ? requested : level;
    gemm_fn gemm = gemm_baseline;
#ifdef X86
    if (use == 2) gemm = gemm_avx512;
    if (use == 1) gemm = gemm_avx2;
#endif
    sgemm_with(gemm, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void fashion_adam_update(ADAM_ARGS) { chosen_adam(theta, g, m, v, n, alpha, beta1, beta2, epsilon, decay); }

void fashion_bytes_to_unit(UNIT_ARGS) { chosen_unit(src, dst, n); }

const char *fashion_kernel_level(void) { return level == 2 ? "avx512" : level == 1 ? "avx2" : "baseline"; }

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
    if (level == 2) return peak_avx512(iterations, &sink);
    if (level == 1) return peak_avx2(iterations, &sink);
#endif
    return peak_baseline(iterations, &sink);
}

// Max pooling's backward on one image whose windows tile it (size x size, stride size, no
// padding): every covered input is set to its window's gradient where it equals the window's
// maximum and to 0 elsewhere; the rows and columns no window covers are cleared.
#define TILED_POOL_ARGS float *restrict dx, const float *restrict x, const float *restrict best, \
                        const float *restrict g, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels, \
                        ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t size
#define TILED_POOL_BODY                                                                            \
    {                                                                                              \
        ptrdiff_t covered = out_width * size;                                                      \
        for (ptrdiff_t oy = 0; oy < out_height; oy++)                                              \
            for (ptrdiff_t r = oy * size; r < oy * size + size; r++) {                             \
                ptrdiff_t row = r * width * channels;                                              \
                for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                     \
                    const float *go = g + (oy * out_width + ox) * channels;                        \
                    const float *b = best + (oy * out_width + ox) * channels;                      \
                    for (ptrdiff_t s = ox * size; s < ox * size + size; s++) {                     \
                        float *p = dx + row + s * channels;                                        \
                        const float *v = x + row + s * channels;                                   \
                        for (ptrdiff_t c = 0; c < channels; c++) p[c] = (float)(v[c] == b[c]) * go[c]; \
                    }                                                                              \
                }                                                                                  \
                if (covered < width) memset(dx + row + covered * channels, 0,                      \
                                            sizeof(float) * (size_t)((width - covered) * channels)); \
            }                                                                                      \
        if (out_height * size < height)                                                            \
            memset(dx + out_height * size * width * channels, 0,                                   \
                   sizeof(float) * (size_t)((height - out_height * size) * width * channels));    \
    }
static void tiled_pool_baseline(TILED_POOL_ARGS) TILED_POOL_BODY
#ifdef X86
AVX2 static void tiled_pool_avx2(TILED_POOL_ARGS) TILED_POOL_BODY
AVX512 static void tiled_pool_avx512(TILED_POOL_ARGS) TILED_POOL_BODY
#endif

void fashion_max_pool_tiled_backward(TILED_POOL_ARGS) {
#ifdef X86
    if (level == 2) { tiled_pool_avx512(dx, x, best, g, height, width, channels, out_height, out_width, size); return; }
    if (level == 1) { tiled_pool_avx2(dx, x, best, g, height, width, channels, out_height, out_width, size); return; }
#endif
    tiled_pool_baseline(dx, x, best, g, height, width, channels, out_height, out_width, size);
}

// Max pooling 2x2, stride 2, on one image (width x channels a row; out_height x out_width
// windows that fit in it): y = the window's maximum of x + bias (no bias when it is NULL),
// taken as Swift's max(best, v) from -inf in the order top left, top right, bottom left,
// bottom right; mask = the window's pixels equal to it, bits 1, 2, 4, 8 in that order (with
// ties each gets the gradient). With relu, y = max(0, that) (ReLU after the pooling).
#define POOL2_ARGS float *restrict y, uint8_t *restrict mask, const float *restrict x, \
                   const float *restrict bias, int relu, ptrdiff_t width, ptrdiff_t channels, \
                   ptrdiff_t out_height, ptrdiff_t out_width
#define POOL2_LOOP(A, B, D, E)                                                                     \
    for (ptrdiff_t oy = 0; oy < out_height; oy++)                                                  \
        for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                             \
            const float *a = x + (2 * oy * width + 2 * ox) * channels, *b = a + channels;          \
            const float *d = a + width * channels, *e = d + channels;                              \
            float *o = y + (oy * out_width + ox) * channels;                                       \
            uint8_t *m = mask + (oy * out_width + ox) * channels;                                  \
            for (ptrdiff_t c = 0; c < channels; c++) {                                             \
                float va = A, vb = B, vd = D, ve = E, best = -INFINITY;                            \
                best = va >= best ? va : best;                                                     \
                best = vb >= best ? vb : best;                                                     \
                best = vd >= best ? vd : best;                                                     \
                best = ve >= best ? ve : best;                                                     \
                o[c] = relu ? (best > 0 ? best : 0) : best;                                        \
                m[c] = (uint8_t)((va == best) | (vb == best) << 1 | (vd == best) << 2 | (ve == best) << 3); \
            }                                                                                      \
        }
#define POOL2_BODY                                                                                 \
    {                                                                                              \
        if (bias) { POOL2_LOOP(a[c] + bias[c], b[c] + bias[c], d[c] + bias[c], e[c] + bias[c]) }   \
        else { POOL2_LOOP(a[c], b[c], d[c], e[c]) }                                                \
    }
static void pool2_baseline(POOL2_ARGS) POOL2_BODY
#ifdef X86
AVX2 static void pool2_avx2(POOL2_ARGS) POOL2_BODY
AVX512 static void pool2_avx512(POOL2_ARGS) POOL2_BODY
#endif

void fashion_max_pool2(POOL2_ARGS) {
#ifdef X86
    if (level == 2) { pool2_avx512(y, mask, x, bias, relu, width, channels, out_height, out_width); return; }
    if (level == 1) { pool2_avx2(y, mask, x, bias, relu, width, channels, out_height, out_width); return; }
#endif
    pool2_baseline(y, mask, x, bias, relu, width, channels, out_height, out_width);
}

// Its backward: dx = g of the window (times 1 or 0, as the comparing kernel above) where the
// mask has the pixel; the rows and columns no window covers are 0. With y (the rectified
// output; may be NULL), g is first taken as g * (y > 0), the ReLU's backward; with db (may be
// NULL), db += g times the pixels it went to, window by window in order (the bias gradient of
// a convolution before the pooling).
#define POOL2_BACK_ARGS float *restrict dx, const uint8_t *restrict mask, const float *restrict g, \
                        const float *restrict y, float *restrict db, ptrdiff_t height, ptrdiff_t width, \
                        ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width
#define POOL2_BACK_LOOP(GRADIENT, BIAS)                                                            \
    for (ptrdiff_t oy = 0; oy < out_height; oy++) {                                                \
        for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                             \
            float *a = dx + (2 * oy * width + 2 * ox) * channels, *b = a + channels;               \
            float *d = a + width * channels, *e = d + channels;                                    \
            ptrdiff_t at = (oy * out_width + ox) * channels;                                       \
            const float *go = g + at;                                                              \
            const uint8_t *m = mask + at;                                                          \
            for (ptrdiff_t c = 0; c < channels; c++) {                                             \
                int bits = m[c];                                                                   \
                float v = GRADIENT;                                                                \
                a[c] = (float)(bits & 1) * v;                                                      \
                b[c] = (float)((bits >> 1) & 1) * v;                                               \
                d[c] = (float)((bits >> 2) & 1) * v;                                               \
                e[c] = (float)((bits >> 3) & 1) * v;                                               \
                BIAS;                                                                              \
            }                                                                                      \
        }                                                                                          \
        if (covered < width)                                                                       \
            for (ptrdiff_t r = 2 * oy; r < 2 * oy + 2; r++)                                        \
                memset(dx + (r * width + covered) * channels, 0,                                   \
                       sizeof(float) * (size_t)((width - covered) * channels));                    \
    }
#define POOL2_COUNT ((float)((bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1) + ((bits >> 3) & 1)))
#define POOL2_BACK_BODY                                                                            \
    {                                                                                              \
        ptrdiff_t covered = out_width * 2;                                                         \
        if (y && db) { POOL2_BACK_LOOP(go[c] * (float)(y[at + c] > 0), db[c] += v * POOL2_COUNT) } \
        else if (db) { POOL2_BACK_LOOP(go[c], db[c] += v * POOL2_COUNT) }                          \
        else if (y) { POOL2_BACK_LOOP(go[c] * (float)(y[at + c] > 0), (void)0) }                   \
        else { POOL2_BACK_LOOP(go[c], (void)0) }                                                   \
        if (out_height * 2 < height)                                                               \
            memset(dx + out_height * 2 * width * channels, 0,                                      \
                   sizeof(float) * (size_t)((height - out_height * 2) * width * channels));       \
    }
static void pool2_back_baseline(POOL2_BACK_ARGS) POOL2_BACK_BODY
#ifdef X86
AVX2 static void pool2_back_avx2(POOL2_BACK_ARGS) POOL2_BACK_BODY
AVX512 static void pool2_back_avx512(POOL2_BACK_ARGS) POOL2_BACK_BODY
#endif

void fashion_max_pool2_backward(POOL2_BACK_ARGS) {
#ifdef X86
    if (level == 2) { pool2_back_avx512(dx, mask, g, y, db, height, width, channels, out_height, out_width); return; }
    if (level == 1) { pool2_back_avx2(dx, mask, g, y, db, height, width, channels, out_height, out_width); return; }
#endif
    pool2_back_baseline(dx, mask, g, y, db, height, width, channels, out_height, out_width);
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

void fashion_max_pool_backward_pixel(float *restrict dx, const float *restrict x, const float *restrict best,
                                     const float *restrict g, ptrdiff_t n) {
    for (ptrdiff_t c = 0; c < n; c++) dx[c] += (float)(x[c] == best[c]) * g[c];
}

// Winograd F(2x2, 3x3) (Lavin & Gray, 2016): a 2x2 block of a 3x3 convolution's outputs from
// a 4x4 block of its input with 16 multiplications a channel pair instead of 36,
// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, with
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 -1 -1].
// The backward passes are the exact gradients of that computation (the transposed
// transforms): with Z = A dY Aᵀ, dg = Gᵀ [Σ_tiles Z ⊙ (Bᵀ d B)] G and dd = B [Z ⊙ (G g Gᵀ)] Bᵀ.
// Images are NHWC; tile (ty, tx) covers outputs (2ty.., 2tx..) and inputs from (2ty - pad_top,
// 2tx - pad_left), zero outside. The 16 transformed values of a tile are in 16 planes,
// plane ξ = 4r + s at v + ξ * plane_stride, the tile's channels at + tile * channels.
#define WINO_IN_ARGS const float *restrict image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels, \
                     ptrdiff_t tiles_h, ptrdiff_t tiles_w, ptrdiff_t pad_top, ptrdiff_t pad_left, \
                     float *restrict v, ptrdiff_t plane_stride, const float *restrict zeros
#define WINO_IN_TILE(P)                                                                            \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t c = 0; c < channels; c++) {                                                     \
        float t[16];                                                                               \
        for (int s = 0; s < 4; s++) {                                                              \
            float d0 = P(s)[c], d1 = P(4 + s)[c], d2 = P(8 + s)[c], d3 = P(12 + s)[c];             \
            t[s] = d0 - d2; t[4 + s] = d1 + d2; t[8 + s] = d2 - d1; t[12 + s] = d1 - d3;           \
        }                                                                                          \
        for (int r = 0; r < 4; r++) {                                                              \
            float e0 = t[4 * r], e1 = t[4 * r + 1], e2 = t[4 * r + 2], e3 = t[4 * r + 3];          \
            out[(4 * r) * plane_stride + c] = e0 - e2;                                             \
            out[(4 * r + 1) * plane_stride + c] = e1 + e2;                                         \
            out[(4 * r + 2) * plane_stride + c] = e2 - e1;                                         \
            out[(4 * r + 3) * plane_stride + c] = e1 - e3;                                         \
        }                                                                                          \
    }
// A tile inside the image reads its 16 pixels at fixed offsets from its corner; one on the
// border through a table of pointers (zeros outside).
#define WINO_CORNER(K) (corner + ((K) >> 2) * row + ((K) & 3) * channels)
#define WINO_TABLE(K) (p[K])
#define WINO_IN_BODY                                                                               \
    {                                                                                              \
        ptrdiff_t row = width * channels;                                                          \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++)                                                 \
            for (ptrdiff_t tx = 0; tx < tiles_w; tx++) {                                           \
                ptrdiff_t y0 = 2 * ty - pad_top, x0 = 2 * tx - pad_left;                           \
                float *out = v + (ty * tiles_w + tx) * channels;                                   \
                if (y0 >= 0 && y0 + 4 <= height && x0 >= 0 && x0 + 4 <= width) {                  \
                    const float *corner = image + y0 * row + x0 * channels;                        \
                    WINO_IN_TILE(WINO_CORNER)                                                      \
                    continue;                                                                      \
                }                                                                                  \
                const float *p[16];                                                                \
                for (int r = 0; r < 4; r++)                                                        \
                    for (int s = 0; s < 4; s++) {                                                  \
                        ptrdiff_t y = y0 + r, x = x0 + s;                                          \
                        p[4 * r + s] = (y >= 0 && y < height && x >= 0 && x < width)              \
                                           ? image + (y * width + x) * channels : zeros;           \
                    }                                                                              \
                WINO_IN_TILE(WINO_TABLE)                                                           \
            }                                                                                      \
    }

// Y = Aᵀ M A per tile and filter, plus the bias, written where the output exists.
#define WINO_OUT_ARGS const float *restrict m, ptrdiff_t plane_stride, ptrdiff_t filters, ptrdiff_t tiles_h, \
                      ptrdiff_t tiles_w, ptrdiff_t out_h, ptrdiff_t out_w, const float *restrict bias, \
                      float *restrict out, float *restrict sink
#define WINO_OUT_TILE(Q)                                                                           \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t o = 0; o < filters; o++) {                                                      \
        float e[16];                                                                               \
        for (int x = 0; x < 16; x++) e[x] = in[x * plane_stride + o];                              \
        float u0[4], u1[4];                                                                        \
        for (int s = 0; s < 4; s++) {                                                              \
            u0[s] = e[s] + e[4 + s] + e[8 + s];                                                    \
            u1[s] = e[4 + s] - e[8 + s] - e[12 + s];                                               \
        }                                                                                          \
        float b = bias[o];                                                                         \
        Q(0)[o] = b + (u0[0] + u0[1] + u0[2]);                                                     \
        Q(1)[o] = b + (u0[1] - u0[2] - u0[3]);                                                     \
        Q(2)[o] = b + (u1[0] + u1[1] + u1[2]);                                                     \
        Q(3)[o] = b + (u1[1] - u1[2] - u1[3]);                                                     \
    }
// The 2x2 outputs of a tile inside the output at fixed offsets, else through a table.
#define WINO_OUT_CORNER(K) (corner + ((K) >> 1) * row + ((K) & 1) * filters)
#define WINO_OUT_TABLE(K) (q[K])
#define WINO_OUT_BODY                                                                              \
    {                                                                                              \
        ptrdiff_t row = out_w * filters;                                                           \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++)                                                 \
            for (ptrdiff_t tx = 0; tx < tiles_w; tx++) {                                           \
                const float *in = m + (ty * tiles_w + tx) * filters;                               \
                if (2 * ty + 2 <= out_h && 2 * tx + 2 <= out_w) {                                  \
                    float *corner = out + 2 * ty * row + 2 * tx * filters;                         \
                    WINO_OUT_TILE(WINO_OUT_CORNER)                                                 \
                    continue;                                                                      \
                }                                                                                  \
                float *q[4];                                                                       \
                for (int u = 0; u < 2; u++)                                                        \
                    for (int w = 0; w < 2; w++) {                                                  \
                        ptrdiff_t y = 2 * ty + u, x = 2 * tx + w;                                  \
                        q[2 * u + w] = (y < out_h && x < out_w) ? out + (y * out_w + x) * filters  \
                                                                : sink + (2 * u + w) * filters;    \
                    }                                                                              \
                WINO_OUT_TILE(WINO_OUT_TABLE)                                                      \
            }                                                                                      \
    }

// Z = A dY Aᵀ per tile and filter, from the tile's 2x2 output gradient (0 past the output).
#define WINO_GRAD_ARGS const float *restrict dy, ptrdiff_t out_h, ptrdiff_t out_w, ptrdiff_t filters, \
                       ptrdiff_t tiles_h, ptrdiff_t tiles_w, float *restrict z, ptrdiff_t plane_stride, \
                       const float *restrict zeros
#define WINO_GRAD_TILE(G)                                                                          \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t o = 0; o < filters; o++) {                                                      \
        float g00 = G(0)[o], g01 = G(1)[o], g10 = G(2)[o], g11 = G(3)[o];                          \
        /* w = A g (rows): w0 = g0, w1 = g0 + g1, w2 = g0 - g1, w3 = -g1, per column */            \
        float w[4][2] = {{g00, g01}, {g00 + g10, g01 + g11}, {g00 - g10, g01 - g11}, {-g10, -g11}}; \
        for (int r = 0; r < 4; r++) {                                                              \
            float a0 = w[r][0], a1 = w[r][1];                                                      \
            out[(4 * r) * plane_stride + o] = a0;                                                  \
            out[(4 * r + 1) * plane_stride + o] = a0 + a1;                                         \
            out[(4 * r + 2) * plane_stride + o] = a0 - a1;                                         \
            out[(4 * r + 3) * plane_stride + o] = -a1;                                             \
        }                                                                                          \
    }
#define WINO_GRAD_TABLE(K) (g[K])
#define WINO_GRAD_BODY                                                                             \
    {                                                                                              \
        ptrdiff_t row = out_w * filters;                                                           \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++)                                                 \
            for (ptrdiff_t tx = 0; tx < tiles_w; tx++) {                                           \
                float *out = z + (ty * tiles_w + tx) * filters;                                    \
                if (2 * ty + 2 <= out_h && 2 * tx + 2 <= out_w) {                                  \
                    const float *corner = dy + 2 * ty * row + 2 * tx * filters;                    \
                    WINO_GRAD_TILE(WINO_OUT_CORNER)                                                \
                    continue;                                                                      \
                }                                                                                  \
                const float *g[4];                                                                 \
                for (int u = 0; u < 2; u++)                                                        \
                    for (int w = 0; w < 2; w++) {                                                  \
                        ptrdiff_t y = 2 * ty + u, x = 2 * tx + w;                                  \
                        g[2 * u + w] = (y < out_h && x < out_w) ? dy + (y * out_w + x) * filters : zeros; \
                    }                                                                              \
                WINO_GRAD_TILE(WINO_GRAD_TABLE)                                                    \
            }                                                                                      \
    }

// dd = B Q Bᵀ per tile and channel, added onto the image where the input exists (tiles in
// order, so overlapping tiles add the same way every time). The image must start at zero.
#define WINO_DX_ARGS const float *restrict q, ptrdiff_t plane_stride, ptrdiff_t channels, ptrdiff_t tiles_h, \
                     ptrdiff_t tiles_w, ptrdiff_t height, ptrdiff_t width, ptrdiff_t pad_top, ptrdiff_t pad_left, \
                     float *restrict dx, float *restrict sink
#define WINO_DX_TILE(P)                                                                            \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t c = 0; c < channels; c++) {                                                     \
        float e[16], t[16];                                                                        \
        for (int x = 0; x < 16; x++) e[x] = in[x * plane_stride + c];                              \
        /* B e per column: t0 = e0, t1 = e1 - e2 + e3, t2 = -e0 + e1 + e2, t3 = -e3 */             \
        for (int s = 0; s < 4; s++) {                                                              \
            float e0 = e[s], e1 = e[4 + s], e2 = e[8 + s], e3 = e[12 + s];                         \
            t[s] = e0; t[4 + s] = e1 - e2 + e3; t[8 + s] = e1 + e2 - e0; t[12 + s] = -e3;          \
        }                                                                                          \
        for (int r = 0; r < 4; r++) {                                                              \
            float e0 = t[4 * r], e1 = t[4 * r + 1], e2 = t[4 * r + 2], e3 = t[4 * r + 3];          \
            P(4 * r)[c] += e0;                                                                     \
            P(4 * r + 1)[c] += e1 - e2 + e3;                                                       \
            P(4 * r + 2)[c] += e1 + e2 - e0;                                                       \
            P(4 * r + 3)[c] -= e3;                                                                 \
        }                                                                                          \
    }
#define WINO_DX_BODY                                                                               \
    {                                                                                              \
        ptrdiff_t row = width * channels;                                                          \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++)                                                 \
            for (ptrdiff_t tx = 0; tx < tiles_w; tx++) {                                           \
                ptrdiff_t y0 = 2 * ty - pad_top, x0 = 2 * tx - pad_left;                           \
                const float *in = q + (ty * tiles_w + tx) * channels;                              \
                if (y0 >= 0 && y0 + 4 <= height && x0 >= 0 && x0 + 4 <= width) {                  \
                    float *corner = dx + y0 * row + x0 * channels;                                 \
                    WINO_DX_TILE(WINO_CORNER)                                                      \
                    continue;                                                                      \
                }                                                                                  \
                float *p[16];                                                                      \
                for (int r = 0; r < 4; r++)                                                        \
                    for (int s = 0; s < 4; s++) {                                                  \
                        ptrdiff_t y = y0 + r, x = x0 + s;                                          \
                        p[4 * r + s] = (y >= 0 && y < height && x >= 0 && x < width)              \
                                           ? dx + (y * width + x) * channels                       \
                                           : sink + (4 * r + s) * channels;                        \
                    }                                                                              \
                WINO_DX_TILE(WINO_TABLE)                                                           \
            }                                                                                      \
    }

// Y = Aᵀ M A + bias per tile and filter, then the 2x2 max pooling of the tile (a tile is a
// pooling window: both start at even rows and columns), as fashion_max_pool2 computes it:
// y = the maximum (with relu, max(0, it)), mask = the bits of the tile's outputs equal to it.
// Only the pooled_h x pooled_w tiles that are windows are computed.
#define WINO_POOL_ARGS const float *restrict m, ptrdiff_t plane_stride, ptrdiff_t filters, ptrdiff_t tiles_w, \
                       ptrdiff_t pooled_h, ptrdiff_t pooled_w, const float *restrict bias, int relu, \
                       float *restrict y, uint8_t *restrict mask
#define WINO_POOL_BODY                                                                             \
    {                                                                                              \
        for (ptrdiff_t ty = 0; ty < pooled_h; ty++)                                                \
            for (ptrdiff_t tx = 0; tx < pooled_w; tx++) {                                          \
                const float *in = m + (ty * tiles_w + tx) * filters;                               \
                float *o = y + (ty * pooled_w + tx) * filters;                                     \
                uint8_t *k = mask + (ty * pooled_w + tx) * filters;                                \
                _Pragma("clang loop vectorize(assume_safety)")                                     \
                for (ptrdiff_t f = 0; f < filters; f++) {                                          \
                    float e[16];                                                                   \
                    for (int x = 0; x < 16; x++) e[x] = in[x * plane_stride + f];                  \
                    float u0[4], u1[4];                                                            \
                    for (int s = 0; s < 4; s++) {                                                  \
                        u0[s] = e[s] + e[4 + s] + e[8 + s];                                        \
                        u1[s] = e[4 + s] - e[8 + s] - e[12 + s];                                   \
                    }                                                                              \
                    float b = bias[f];                                                             \
                    float va = b + (u0[0] + u0[1] + u0[2]), vb = b + (u0[1] - u0[2] - u0[3]);      \
                    float vd = b + (u1[0] + u1[1] + u1[2]), ve = b + (u1[1] - u1[2] - u1[3]);      \
                    float best = -INFINITY;                                                        \
                    best = va >= best ? va : best;                                                 \
                    best = vb >= best ? vb : best;                                                 \
                    best = vd >= best ? vd : best;                                                 \
                    best = ve >= best ? ve : best;                                                 \
                    o[f] = relu ? (best > 0 ? best : 0) : best;                                    \
                    k[f] = (uint8_t)((va == best) | (vb == best) << 1 | (vd == best) << 2 | (ve == best) << 3); \
                }                                                                                  \
            }                                                                                      \
    }

// Its backward: Z = A dY Aᵀ per tile, dY the pooled gradient spread by the mask as
// fashion_max_pool2_backward spreads it (g * (y > 0) first with the rectified output y, which
// may be NULL); tiles that are no window get Z = 0. db += g times the pixels it went to.
#define WINO_POOL_GRAD_ARGS const float *restrict g, const uint8_t *restrict mask, const float *restrict y, \
                            float *restrict db, ptrdiff_t pooled_h, ptrdiff_t pooled_w, ptrdiff_t filters, \
                            ptrdiff_t tiles_h, ptrdiff_t tiles_w, float *restrict z, ptrdiff_t plane_stride
#define WINO_POOL_GRAD_BODY                                                                        \
    {                                                                                              \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++)                                                 \
            for (ptrdiff_t tx = 0; tx < tiles_w; tx++) {                                           \
                float *out = z + (ty * tiles_w + tx) * filters;                                    \
                if (ty >= pooled_h || tx >= pooled_w) {                                            \
                    for (int x = 0; x < 16; x++) memset(out + x * plane_stride, 0, sizeof(float) * (size_t)filters); \
                    continue;                                                                      \
                }                                                                                  \
                ptrdiff_t at = (ty * pooled_w + tx) * filters;                                     \
                const float *go = g + at;                                                          \
                const uint8_t *k = mask + at;                                                      \
                const float *yo = y ? y + at : go;                                                 \
                int rectified = y != 0;                                                            \
                _Pragma("clang loop vectorize(assume_safety)")                                     \
                for (ptrdiff_t o = 0; o < filters; o++) {                                          \
                    int bits = k[o];                                                               \
                    float v = rectified ? go[o] * (float)(yo[o] > 0) : go[o];                      \
                    float g00 = (float)(bits & 1) * v, g01 = (float)((bits >> 1) & 1) * v;         \
                    float g10 = (float)((bits >> 2) & 1) * v, g11 = (float)((bits >> 3) & 1) * v;  \
                    db[o] += v * POOL2_COUNT;                                                      \
                    float w[4][2] = {{g00, g01}, {g00 + g10, g01 + g11}, {g00 - g10, g01 - g11}, {-g10, -g11}}; \
                    for (int r = 0; r < 4; r++) {                                                  \
                        float a0 = w[r][0], a1 = w[r][1];                                          \
                        out[(4 * r) * plane_stride + o] = a0;                                      \
                        out[(4 * r + 1) * plane_stride + o] = a0 + a1;                             \
                        out[(4 * r + 2) * plane_stride + o] = a0 - a1;                             \
                        out[(4 * r + 3) * plane_stride + o] = -a1;                                 \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
    }

static void wino_pool_baseline(WINO_POOL_ARGS) WINO_POOL_BODY
static void wino_pool_grad_baseline(WINO_POOL_GRAD_ARGS) WINO_POOL_GRAD_BODY
#ifdef X86
AVX2 static void wino_pool_avx2(WINO_POOL_ARGS) WINO_POOL_BODY
AVX2 static void wino_pool_grad_avx2(WINO_POOL_GRAD_ARGS) WINO_POOL_GRAD_BODY
AVX512 static void wino_pool_avx512(WINO_POOL_ARGS) WINO_POOL_BODY
AVX512 static void wino_pool_grad_avx512(WINO_POOL_GRAD_ARGS) WINO_POOL_GRAD_BODY
#endif

static void wino_in_baseline(WINO_IN_ARGS) WINO_IN_BODY
static void wino_out_baseline(WINO_OUT_ARGS) WINO_OUT_BODY
static void wino_grad_baseline(WINO_GRAD_ARGS) WINO_GRAD_BODY
static void wino_dx_baseline(WINO_DX_ARGS) WINO_DX_BODY
#ifdef X86
AVX2 static void wino_in_avx2(WINO_IN_ARGS) WINO_IN_BODY
AVX2 static void wino_out_avx2(WINO_OUT_ARGS) WINO_OUT_BODY
AVX2 static void wino_grad_avx2(WINO_GRAD_ARGS) WINO_GRAD_BODY
AVX2 static void wino_dx_avx2(WINO_DX_ARGS) WINO_DX_BODY
AVX512 static void wino_in_avx512(WINO_IN_ARGS) WINO_IN_BODY
AVX512 static void wino_out_avx512(WINO_OUT_ARGS) WINO_OUT_BODY
AVX512 static void wino_grad_avx512(WINO_GRAD_ARGS) WINO_GRAD_BODY
AVX512 static void wino_dx_avx512(WINO_DX_ARGS) WINO_DX_BODY
#define WINO_DISPATCH(NAME, ...)                                   \
    do {                                                           \
        if (level == 2) { NAME##_avx512(__VA_ARGS__); return; }    \
        if (level == 1) { NAME##_avx2(__VA_ARGS__); return; }      \
        NAME##_baseline(__VA_ARGS__);                              \
    } while (0)
#else
#define WINO_DISPATCH(NAME, ...) NAME##_baseline(__VA_ARGS__)
#endif

void fashion_winograd_input(WINO_IN_ARGS) {
    WINO_DISPATCH(wino_in, image, height, width, channels, tiles_h, tiles_w, pad_top, pad_left, v, plane_stride,
                  zeros);
}

void fashion_winograd_output(WINO_OUT_ARGS) {
    WINO_DISPATCH(wino_out, m, plane_stride, filters, tiles_h, tiles_w, out_h, out_w, bias, out, sink);
}

void fashion_winograd_output_gradient(WINO_GRAD_ARGS) {
    WINO_DISPATCH(wino_grad, dy, out_h, out_w, filters, tiles_h, tiles_w, z, plane_stride, zeros);
}

void fashion_winograd_input_gradient(WINO_DX_ARGS) {
    WINO_DISPATCH(wino_dx, q, plane_stride, channels, tiles_h, tiles_w, height, width, pad_top, pad_left, dx, sink);
}

void fashion_winograd_output_pool(WINO_POOL_ARGS) {
    WINO_DISPATCH(wino_pool, m, plane_stride, filters, tiles_w, pooled_h, pooled_w, bias, relu, y, mask);
}

void fashion_winograd_pooled_gradient(WINO_POOL_GRAD_ARGS) {
    WINO_DISPATCH(wino_pool_grad, g, mask, y, db, pooled_h, pooled_w, filters, tiles_h, tiles_w, z, plane_stride);
}
