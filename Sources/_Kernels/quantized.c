// The 8-bit kernels of inference (`fashion quantize`): inputs as unsigned bytes, weights as
// signed bytes in [-127, 127], sums in 32-bit integers. Integers add exactly, so every path
// gives the plain loop's sums bit for bit. Three paths, by what the CPU has:
//   2  AVX-512 VNNI: vpdpbusd multiplies four byte pairs in each 32-bit lane and adds them to
//      the lane; the weights are packed as quads [k/4][n][4] of bytes.
//   1  AVX2: the bytes widened to 16 bits and vpmaddwd multiplying two pairs a lane (vpmaddubsw
//      would saturate: 255·127·2 > 32767); the weights packed as pairs [k/2][n][2] of int16.
//   0  plain loops on the pairs' packing (any CPU).
// k is padded to a multiple of 4 and n to a multiple of 16 with zero weights.
#include "kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"

#ifdef X86
#include <immintrin.h>
#define VNNI __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vnni,avx2,fma,bmi,bmi2")))
#endif

int fashion_int8_path(void) {
#ifdef X86
    __builtin_cpu_init();
    if (fashion_isa_level == 2 && __builtin_cpu_supports("avx512vnni")) return 2;
    if (fashion_isa_level >= 1) return 1;
#endif
    return 0;
}

static ptrdiff_t round_up(ptrdiff_t value, ptrdiff_t multiple) { return (value + multiple - 1) / multiple * multiple; }

ptrdiff_t fashion_int8_packed_bytes(ptrdiff_t k, ptrdiff_t n) { return round_up(k, 4) * round_up(n, 16) * 2; }

void fashion_int8_pack(int path, const int8_t *w, ptrdiff_t k, ptrdiff_t n, void *packed) {
    ptrdiff_t kp = round_up(k, 4), np = round_up(n, 16);
    if (path == 2) {
        int8_t *out = packed;
        memset(out, 0, (size_t)(kp * np));
        for (ptrdiff_t p = 0; p < k; p++)
            for (ptrdiff_t j = 0; j < n; j++) out[((p / 4) * np + j) * 4 + p % 4] = w[p * n + j];
    } else {
        int16_t *out = packed;
        memset(out, 0, (size_t)(kp * np) * sizeof(int16_t));
        for (ptrdiff_t p = 0; p < k; p++)
            for (ptrdiff_t j = 0; j < n; j++) out[((p / 2) * np + j) * 2 + p % 2] = w[p * n + j];
    }
}

// Path 0: c[i][j] = Σ_p a[i][p] w[p][j] over the pairs' packing, for j < np.
static void int8_gemm_plain(ptrdiff_t m, ptrdiff_t np, ptrdiff_t kp, const uint8_t *a, ptrdiff_t lda,
                            const int16_t *b, int32_t *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        int32_t *row = c + i * ldc;
        for (ptrdiff_t j = 0; j < np; j++) row[j] = 0;
        for (ptrdiff_t p = 0; p < kp / 2; p++) {
            int32_t x0 = a[i * lda + 2 * p], x1 = a[i * lda + 2 * p + 1];
            const int16_t *bp = b + p * np * 2;
            for (ptrdiff_t j = 0; j < np; j++) row[j] += x0 * bp[2 * j] + x1 * bp[2 * j + 1];
        }
    }
}

#ifdef X86
// Path 1: ROWS rows by NV vectors of 8 columns; each step two k's (one 32-bit lane of the
// broadcast input holds two 16-bit values, read from the rows widened once to int16).
#define AVX2_TILE(ROWS, NV)                                                                        \
    {                                                                                              \
        __m256i acc[ROWS][NV];                                                                     \
        for (int r = 0; r < ROWS; r++)                                                             \
            for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_si256();                       \
        for (ptrdiff_t p = 0; p < kp / 2; p++) {                                                   \
            __m256i w[NV];                                                                         \
            for (int v = 0; v < NV; v++)                                                           \
                w[v] = _mm256_loadu_si256((const __m256i *)(b + (p * np + j0 + 8 * v) * 2));       \
            for (int r = 0; r < ROWS; r++) {                                                       \
                int32_t pair;                                                                      \
                memcpy(&pair, wide + (i0 + r) * kp + 2 * p, 4);                                    \
                __m256i x = _mm256_set1_epi32(pair);                                               \
                for (int v = 0; v < NV; v++) acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(x, w[v])); \
            }                                                                                      \
        }                                                                                          \
        for (int r = 0; r < ROWS; r++)                                                             \
            for (int v = 0; v < NV; v++)                                                           \
                _mm256_storeu_si256((__m256i *)(out + (i0 + r) * ldc + j0 + 8 * v), acc[r][v]);    \
    }

AVX2 static void int8_gemm_avx2(ptrdiff_t m, ptrdiff_t np, ptrdiff_t kp, const uint8_t *a, ptrdiff_t lda,
                                const int16_t *b, int32_t *c, ptrdiff_t ldc) {
    // The rows widened to 16 bits once (a broadcast pair is then one load), in blocks of rows
    // that stay in L2 while every column block passes over them.
    ptrdiff_t block = 256 * 1024 / (kp * 2 > 0 ? kp * 2 : 1);
    block = block < 6 ? 6 : block - block % 6;
    int16_t *wide = malloc((size_t)((block < m ? block : m) * kp) * sizeof(int16_t));
    if (!wide) { int8_gemm_plain(m, np, kp, a, lda, b, c, ldc); return; }
    for (ptrdiff_t start = 0; start < m; start += block) {
        ptrdiff_t rows = m - start < block ? m - start : block;
        for (ptrdiff_t i = 0; i < rows; i++)
            for (ptrdiff_t p = 0; p < kp; p++) wide[i * kp + p] = a[(start + i) * lda + p];
        int32_t *out = c + start * ldc;
        for (ptrdiff_t j0 = 0; j0 < np; j0 += 16) {
            ptrdiff_t i0 = 0;
            for (; i0 + 6 <= rows; i0 += 6) AVX2_TILE(6, 2)
            switch (rows - i0) {
            case 5: AVX2_TILE(5, 2) break;
            case 4: AVX2_TILE(4, 2) break;
            case 3: AVX2_TILE(3, 2) break;
            case 2: AVX2_TILE(2, 2) break;
            case 1: AVX2_TILE(1, 2) break;
            default: break;
            }
        }
    }
    free(wide);
}

// Path 2: ROWS rows by NV vectors of 16 columns; each step four k's.
#define VNNI_TILE(ROWS, NV)                                                                        \
    {                                                                                              \
        __m512i acc[ROWS][NV];                                                                     \
        for (int r = 0; r < ROWS; r++)                                                             \
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_si512();                       \
        for (ptrdiff_t p = 0; p < kp / 4; p++) {                                                   \
            __m512i w[NV];                                                                         \
            for (int v = 0; v < NV; v++) w[v] = _mm512_loadu_si512(b + (p * np + j0 + 16 * v) * 4); \
            for (int r = 0; r < ROWS; r++) {                                                       \
                int32_t quad;                                                                      \
                memcpy(&quad, a + (i0 + r) * lda + 4 * p, 4);                                      \
                __m512i x = _mm512_set1_epi32(quad);                                               \
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], x, w[v]);  \
            }                                                                                      \
        }                                                                                          \
        for (int r = 0; r < ROWS; r++)                                                             \
            for (int v = 0; v < NV; v++) _mm512_storeu_si512(c + (i0 + r) * ldc + j0 + 16 * v, acc[r][v]); \
    }

#define VNNI_ROWS(NV)                                                                              \
    {                                                                                              \
        ptrdiff_t i0 = 0;                                                                          \
        for (; i0 + 6 <= m; i0 += 6) VNNI_TILE(6, NV)                                              \
        switch (m - i0) {                                                                          \
        case 5: VNNI_TILE(5, NV) break;                                                            \
        case 4: VNNI_TILE(4, NV) break;                                                            \
        case 3: VNNI_TILE(3, NV) break;                                                            \
        case 2: VNNI_TILE(2, NV) break;                                                            \
        case 1: VNNI_TILE(1, NV) break;                                                            \
        default: break;                                                                            \
        }                                                                                          \
    }

VNNI static void int8_gemm_vnni(ptrdiff_t m, ptrdiff_t np, ptrdiff_t kp, const uint8_t *a, ptrdiff_t lda,
                                const int8_t *b, int32_t *c, ptrdiff_t ldc) {
    ptrdiff_t j0 = 0;
    for (; j0 + 64 <= np; j0 += 64) VNNI_ROWS(4)
    switch ((np - j0) / 16) {
    case 3: VNNI_ROWS(3) break;
    case 2: VNNI_ROWS(2) break;
    case 1: VNNI_ROWS(1) break;
    default: break;
    }
}
#endif

void fashion_int8_gemm(int path, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *a, ptrdiff_t lda,
                       const void *packed, int32_t *c, ptrdiff_t ldc) {
    ptrdiff_t kp = round_up(k, 4), np = round_up(n, 16);
#ifdef X86
    if (path == 2 && fashion_int8_path() == 2) { int8_gemm_vnni(m, np, kp, a, lda, packed, c, ldc); return; }
    if (path == 1 && fashion_int8_path() >= 1) { int8_gemm_avx2(m, np, kp, a, lda, packed, c, ldc); return; }
#endif
    if (path == 2) return; // packed as quads, which only VNNI reads; the caller asked for a path the CPU lacks
    int8_gemm_plain(m, np, kp, a, lda, packed, c, ldc);
}

#define QUANTIZE_ARGS const float *x, ptrdiff_t n, float scale, int32_t zero_point, uint8_t *q
// As ONNX's QuantizeLinear: x / scale rounded half to even, plus the zero point, saturated
// (NaN to 0). The same operations in every clone, so the same bytes.
ISA_CLONES(quantize, QUANTIZE_ARGS, {
    (void)isa_registers;
    float zero = (float)zero_point;
    for (ptrdiff_t i = 0; i < n; i++) {
        float t = __builtin_rintf(x[i] / scale) + zero;
        t = t > 0 ? t : 0;
        t = t < 255 ? t : 255;
        q[i] = (uint8_t)(int32_t)t;
    }
})

void fashion_int8_quantize(QUANTIZE_ARGS) { ISA_DISPATCH(quantize, x, n, scale, zero_point, q); }

#define DEQUANTIZE_ARGS const int32_t *c, ptrdiff_t ldc, ptrdiff_t m, ptrdiff_t n, const float *scale, \
                        const float *offset, float *y, ptrdiff_t ldy
ISA_CLONES(dequantize, DEQUANTIZE_ARGS, {
    (void)isa_registers;
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) y[i * ldy + j] = (float)c[i * ldc + j] * scale[j] + offset[j];
})

void fashion_int8_dequantize(DEQUANTIZE_ARGS) { ISA_DISPATCH(dequantize, c, ldc, m, n, scale, offset, y, ldy); }

// Copies n bytes 8 at a time: up to 7 more are read after the source and written after the
// target (the caller leaves room; the later windows overwrite what spills into theirs).
static inline void copy_spilling(uint8_t *target, const uint8_t *source, ptrdiff_t n) {
    for (ptrdiff_t e = 0; e < n; e += 8) __builtin_memcpy_inline(target + e, source + e, 8);
}

// no_builtin: the border's short copies stay loops (as memcpy calls they cost more than the bytes).
__attribute__((no_builtin("memcpy", "memset", "memmove"))) void fashion_int8_im2col(
    uint8_t *restrict rows, ptrdiff_t ldr, const uint8_t *restrict image, ptrdiff_t height, ptrdiff_t width,
    ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t k, ptrdiff_t stride, ptrdiff_t pad_top,
    ptrdiff_t pad_left, uint8_t zero) {
    ptrdiff_t span = k * channels;
    uint64_t zeros = 0x0101010101010101ull * zero;
    for (ptrdiff_t y = 0; y < out_height; y++)
        for (ptrdiff_t x = 0; x < out_width; x++) {
            uint8_t *row = rows + (y * out_width + x) * ldr;
            ptrdiff_t left = x * stride - pad_left;
            for (ptrdiff_t i = 0; i < k; i++) {
                ptrdiff_t sy = y * stride + i - pad_top;
                uint8_t *target = row + i * span;
                if (sy < 0 || sy >= height) {
                    for (ptrdiff_t e = 0; e < span; e += 8) __builtin_memcpy_inline(target + e, &zeros, 8);
                } else if (left >= 0 && left + k <= width) {
                    copy_spilling(target, image + (sy * width + left) * channels, span);
                } else {
                    for (ptrdiff_t j = 0; j < k; j++) {
                        ptrdiff_t sx = left + j;
                        uint8_t *pixel = target + j * channels;
                        if (sx >= 0 && sx < width) {
                            const uint8_t *source = image + (sy * width + sx) * channels;
                            for (ptrdiff_t e = 0; e < channels; e++) pixel[e] = source[e];
                        } else {
                            for (ptrdiff_t e = 0; e < channels; e++) pixel[e] = zero;
                        }
                    }
                }
            }
        }
}

#define POOL_ARGS const int32_t *c, ptrdiff_t ldc, ptrdiff_t width, ptrdiff_t n, ptrdiff_t out_height, \
                  ptrdiff_t out_width, const float *scale, const float *offset, int relu, float *y
// The sums of a convolution's output image (width columns, ldc apart a pixel) pooled 2x2 before
// they are dequantized: with scale > 0, scale·c + offset rounds monotonically in c, so the
// maximum of the dequantized values is the dequantized maximum, exactly.
ISA_CLONES(dequantize_pool2, POOL_ARGS, {
    (void)isa_registers;
    for (ptrdiff_t py = 0; py < out_height; py++)
        for (ptrdiff_t px = 0; px < out_width; px++) {
            const int32_t *a = c + ((2 * py) * width + 2 * px) * ldc;
            const int32_t *b = a + ldc;
            const int32_t *d = a + width * ldc;
            const int32_t *e = d + ldc;
            float *out = y + (py * out_width + px) * n;
            for (ptrdiff_t o = 0; o < n; o++) {
                int32_t m = a[o] > b[o] ? a[o] : b[o];
                int32_t m2 = d[o] > e[o] ? d[o] : e[o];
                m = m > m2 ? m : m2;
                float v = (float)m * scale[o] + offset[o];
                out[o] = relu ? (v > 0 ? v : 0) : v;
            }
        }
})

void fashion_int8_dequantize_pool2(POOL_ARGS) {
    ISA_DISPATCH(dequantize_pool2, c, ldc, width, n, out_height, out_width, scale, offset, relu, y);
}
