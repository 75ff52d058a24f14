// Max pooling's kernels (see kernels.c for how each body is compiled per instruction set).
#include "isa.h"
#include "kernels.h"
#include <math.h>
#include <string.h>

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
ISA_CLONES(tiled_pool, TILED_POOL_ARGS, TILED_POOL_BODY)

void fashion_max_pool_tiled_backward(TILED_POOL_ARGS) {
    ISA_DISPATCH(tiled_pool, dx, x, best, g, height, width, channels, out_height, out_width, size);
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
                float va = A, vb = B, vd = D, ve = E;                                              \
                POOL2_WRITE(va, vb, vd, ve, relu, o[c], m[c])                                      \
            }                                                                                      \
        }
#define POOL2_BODY                                                                                 \
    {                                                                                              \
        if (bias) { POOL2_LOOP(a[c] + bias[c], b[c] + bias[c], d[c] + bias[c], e[c] + bias[c]) }   \
        else { POOL2_LOOP(a[c], b[c], d[c], e[c]) }                                                \
    }
ISA_CLONES(pool2, POOL2_ARGS, POOL2_BODY)

void fashion_max_pool2(POOL2_ARGS) {
    ISA_DISPATCH(pool2, y, mask, x, bias, relu, width, channels, out_height, out_width);
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
                POOL2_SPREAD(bits, v, a[c], b[c], d[c], e[c])                                      \
                BIAS;                                                                              \
            }                                                                                      \
        }                                                                                          \
        if (covered < width)                                                                       \
            for (ptrdiff_t r = 2 * oy; r < 2 * oy + 2; r++)                                        \
                memset(dx + (r * width + covered) * channels, 0,                                   \
                       sizeof(float) * (size_t)((width - covered) * channels));                    \
    }
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
ISA_CLONES(pool2_back, POOL2_BACK_ARGS, POOL2_BACK_BODY)

void fashion_max_pool2_backward(POOL2_BACK_ARGS) {
    ISA_DISPATCH(pool2_back, dx, mask, g, y, db, height, width, channels, out_height, out_width);
}

void fashion_max_pool_backward_pixel(float *restrict dx, const float *restrict x, const float *restrict best,
                                     const float *restrict g, ptrdiff_t n) {
    for (ptrdiff_t c = 0; c < n; c++) dx[c] += (float)(x[c] == best[c]) * g[c];
}

// A stride-1 convolution of few input channels and the 2x2 max pooling after it, on one image
// as it lies (zero-padded already for `same`): x holds rows of row_stride floats, pixels of
// `channels`; w is the kernel [k rows][k·channels][filters]. Each pooled window's four sums
// are made in registers, kernel row by kernel row, filters 32 or 16 at a time (filters must be a
// multiple of 16; 32 only where 32 vector registers hold their sums and operands, AVX2's 16
// would spill them), then pooled with the bias (and the ReLU) exactly as fashion_max_pool2
// pools them; the convolution's output is never written.
typedef float conv_vector __attribute__((vector_size(64), aligned(4)));
typedef int conv_ints __attribute__((vector_size(64), aligned(4)));
typedef uint8_t conv_bytes __attribute__((vector_size(16), aligned(1)));
typedef float conv_half __attribute__((vector_size(32), aligned(4)));
typedef int conv_half_ints __attribute__((vector_size(32), aligned(4)));
typedef uint8_t conv_half_bytes __attribute__((vector_size(8), aligned(1)));
#define CONV_POOL2_ARGS float *restrict y, uint8_t *restrict mask, const float *restrict x, \
                        const float *restrict w, const float *restrict bias, int relu, ptrdiff_t row_stride, \
                        ptrdiff_t channels, ptrdiff_t k, ptrdiff_t filters, ptrdiff_t out_height, \
                        ptrdiff_t out_width
// NV vectors of 16 filters from filter f: the four sums of each, then their pooling.
#define CONV_POOL2_FILTERS(NV)                                                                     \
    {                                                                                              \
        conv_vector s[4][NV];                                                                      \
        for (int v = 0; v < NV; v++) s[0][v] = s[1][v] = s[2][v] = s[3][v] = (conv_vector){0};     \
        for (ptrdiff_t i = 0; i < k; i++) {                                                        \
            const float *wi = w + i * depth * filters + f;                                         \
            ptrdiff_t at = i * row_stride;                                                         \
            for (ptrdiff_t j = 0; j < depth; j++) {                                                \
                float xa = a[at + j], xb = b[at + j], xd = d[at + j], xe = e[at + j];              \
                for (int v = 0; v < NV; v++) {                                                     \
                    conv_vector wv = *(const conv_vector *)(wi + j * filters + 16 * v);            \
                    s[0][v] += xa * wv;                                                            \
                    s[1][v] += xb * wv;                                                            \
                    s[2][v] += xd * wv;                                                            \
                    s[3][v] += xe * wv;                                                            \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (int v = 0; v < NV; v++) {                                                             \
            for (int q = 0; q < 4; q++) *(conv_vector *)sums[q] = s[q][v];                         \
            for (int c = 0; c < 16; c++) {                                                         \
                const float bc = bias[f + 16 * v + c];                                             \
                float va = sums[0][c] + bc, vb = sums[1][c] + bc;                                  \
                float vd = sums[2][c] + bc, ve = sums[3][c] + bc;                                  \
                POOL2_WRITE(va, vb, vd, ve, relu, o[f + 16 * v + c], m[f + 16 * v + c])            \
            }                                                                                      \
        }                                                                                          \
    }
// The commonest case alone, a 3x3 kernel on one channel (a network's first convolution): the
// nine taps' weights of a vector of L filters stay in registers over every window, W windows
// of a row at a time (VT holds L floats, IT as many ints, BT as many bytes), and the pooling
// is made in vectors. The same sums in the same order, the same pooled value: the same bits as
// the general loop above for any input without NaN.
#define CONV3_POOL2_PASS(VT, IT, BT, L, W)                                                         \
    for (ptrdiff_t f = 0; f < filters; f += L) {                                                   \
        VT wv[9], bv = *(const VT *)(bias + f);                                                    \
        for (int t = 0; t < 9; t++) wv[t] = *(const VT *)(w + t * filters + f);                    \
        for (ptrdiff_t oy = 0; oy < out_height; oy++) {                                            \
            ptrdiff_t ox = 0;                                                                      \
            for (; ox + W <= out_width; ox += W) CONV3_POOL2_WINDOWS(VT, IT, BT, L, W)             \
            for (; ox < out_width; ox++) CONV3_POOL2_WINDOWS(VT, IT, BT, L, 1)                     \
        }                                                                                          \
    }
// N windows from (oy, ox) side by side: their 4·N sums apart (N·4 chains of nine multiply-adds
// in flight, where one window's four would wait on each other), then each pooled.
#define CONV3_POOL2_WINDOWS(VT, IT, BT, L, N)                                                      \
    {                                                                                              \
        const float *a = x + 2 * oy * row_stride + 2 * ox;                                         \
        VT s[N][4];                                                                                \
        for (int n = 0; n < N; n++) s[n][0] = s[n][1] = s[n][2] = s[n][3] = (VT){0};               \
        _Pragma("clang loop unroll(full)")                                                         \
        for (int i = 0; i < 3; i++)                                                                \
            _Pragma("clang loop unroll(full)")                                                     \
            for (int j = 0; j < 3; j++) {                                                          \
                const float *r0 = a + i * row_stride + j, *r1 = r0 + row_stride;                   \
                for (int n = 0; n < N; n++) {                                                      \
                    s[n][0] += r0[2 * n] * wv[3 * i + j];                                          \
                    s[n][1] += r0[2 * n + 1] * wv[3 * i + j];                                      \
                    s[n][2] += r1[2 * n] * wv[3 * i + j];                                          \
                    s[n][3] += r1[2 * n + 1] * wv[3 * i + j];                                      \
                }                                                                                  \
            }                                                                                      \
        for (int n = 0; n < N; n++) {                                                              \
            ptrdiff_t at = (oy * out_width + ox + n) * filters + f;                                \
            VT va = s[n][0] + bv, vb = s[n][1] + bv, vd = s[n][2] + bv, ve = s[n][3] + bv;         \
            VT best = CONV3_MAX(VT, IT, CONV3_MAX(VT, IT, va, vb), CONV3_MAX(VT, IT, vd, ve));     \
            IT bits = ((IT)(va == best) & 1) | ((IT)(vb == best) & 2) | ((IT)(vd == best) & 4)     \
                      | ((IT)(ve == best) & 8);                                                    \
            if (relu) best = (VT)((IT)best & (IT)(best > 0));                                      \
            *(VT *)(y + at) = best;                                                                \
            *(BT *)(mask + at) = __builtin_convertvector(bits, BT);                                \
        }                                                                                          \
    }
// p > q ? p : q lane by lane (x86's max instruction). Over a window as above, the last of its
// greatest values, as POOL2_MAXIMUM's chain from -inf takes it: the same value and sign for
// any numbers (POOL2_MAXIMUM passes over a NaN, this does not).
#define CONV3_MAX(VT, IT, p, q) ((VT)(((IT)(p) & (IT)((p) > (q))) | ((IT)(q) & ~(IT)((p) > (q)))))
#define CONV_POOL2_BODY                                                                            \
    {                                                                                              \
        ptrdiff_t depth = k * channels;                                                            \
        float sums[4][16];                                                                         \
        if (channels == 1 && k == 3 && isa_registers >= 32 && filters % 16 == 0) {                 \
            CONV3_POOL2_PASS(conv_vector, conv_ints, conv_bytes, 16, 4)                            \
            return;                                                                                \
        }                                                                                          \
        if (channels == 1 && k == 3 && filters % 8 == 0) {                                         \
            CONV3_POOL2_PASS(conv_half, conv_half_ints, conv_half_bytes, 8, 1)                     \
            return;                                                                                \
        }                                                                                          \
        for (ptrdiff_t oy = 0; oy < out_height; oy++)                                              \
            for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                         \
                const float *a = x + 2 * oy * row_stride + 2 * ox * channels, *b = a + channels;   \
                const float *d = a + row_stride, *e = d + channels;                                \
                float *o = y + (oy * out_width + ox) * filters;                                    \
                uint8_t *m = mask + (oy * out_width + ox) * filters;                               \
                ptrdiff_t f = 0;                                                                   \
                for (; isa_registers >= 32 && f + 32 <= filters; f += 32) CONV_POOL2_FILTERS(2)    \
                for (; f < filters; f += 16) CONV_POOL2_FILTERS(1)                                 \
            }                                                                                      \
    }
ISA_CLONES(conv_pool2, CONV_POOL2_ARGS, CONV_POOL2_BODY)

void fashion_convolve_max_pool2(CONV_POOL2_ARGS) {
    ISA_DISPATCH(conv_pool2, y, mask, x, w, bias, relu, row_stride, channels, k, filters, out_height, out_width);
}

// Its kernel and bias gradients from one image: g (the pooled gradient; times (y > 0) first when
// y, the rectified output, is not NULL) goes to each window's pixels the mask has, and
// dk[i][j][f] += Σ over windows and their pixels of g · x at the pixel's tap (i, j), db += g
// times the pixels it went to, window by window in order. The spread gradient is never written.
#define CONV_POOL2_GRADIENT_ARGS float *restrict dk, float *restrict db, const uint8_t *restrict mask, \
                                 const float *restrict g, const float *restrict y, const float *restrict x, \
                                 ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t k, ptrdiff_t filters, \
                                 ptrdiff_t out_height, ptrdiff_t out_width
// One window's spread gradient for L filters from f into ga..ge (its four pixels; VT holds L
// floats), times (y > 0) with RECTIFIED, and with `bias` its bias gradient added onto dbsum (a
// register: a conditional add onto db in memory became masked loads and stores that stall).
#define CONV_POOL2_SPREAD(VT, L, RECTIFIED, bias)                                                  \
    ptrdiff_t at = (oy * out_width + ox) * filters + f;                                            \
    for (int c = 0; c < L; c++) {                                                                  \
        int bits = mask[at + c];                                                                   \
        float v = RECTIFIED ? g[at + c] * (float)(y[at + c] > 0) : g[at + c];                      \
        POOL2_SPREAD(bits, v, spread[0][c], spread[1][c], spread[2][c], spread[3][c])              \
        spread[4][c] = v * POOL2_COUNT;                                                            \
    }                                                                                              \
    if (bias) dbsum += *(VT *)spread[4];                                                           \
    VT ga = *(VT *)spread[0], gb = *(VT *)spread[1], gd = *(VT *)spread[2], ge = *(VT *)spread[3]; \
    const float *a = x + 2 * oy * row_stride + 2 * ox * channels, *b = a + channels;               \
    const float *d = a + row_stride, *e = d + channels;
// The taps (i, j) in order, t = i·depth + j: x at i·row_stride + j, dk at t·filters. Nine taps at a
// time (a 3x3 kernel on one channel is all of them) keep their sums in registers over every
// window; the last few add onto dk window by window. Each sum adds the same terms in the same
// order either way. L filters at a time: 16 where 32 vector registers hold the nine sums, the
// spread and an operand, else 8 (AVX2's 16 registers, which 16 would spill on every window).
#define CONV_POOL2_TAPS 9
#define CONV_POOL2_TAP_OFFSET(t) ((t) / depth * row_stride + (t) % depth)
#define CONV_POOL2_GRADIENT_PASS(VT, L, RECTIFIED)                                                 \
    for (ptrdiff_t f = 0; f < filters; f += L) {                                                   \
        ptrdiff_t t0 = 0;                                                                          \
        VT dbsum = *(VT *)(db + f);                                                                \
        for (; t0 + CONV_POOL2_TAPS <= taps; t0 += CONV_POOL2_TAPS) {                              \
            ptrdiff_t offset[CONV_POOL2_TAPS];                                                     \
            VT sum[CONV_POOL2_TAPS];                                                               \
            for (int t = 0; t < CONV_POOL2_TAPS; t++) {                                            \
                offset[t] = CONV_POOL2_TAP_OFFSET(t0 + t);                                         \
                sum[t] = *(VT *)(dk + (t0 + t) * filters + f);                                     \
            }                                                                                      \
            for (ptrdiff_t oy = 0; oy < out_height; oy++)                                          \
                for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                     \
                    CONV_POOL2_SPREAD(VT, L, RECTIFIED, t0 == 0)                                   \
                    for (int t = 0; t < CONV_POOL2_TAPS; t++) {                                    \
                        ptrdiff_t o = offset[t];                                                   \
                        sum[t] += a[o] * ga + b[o] * gb + d[o] * gd + e[o] * ge;                   \
                    }                                                                              \
                }                                                                                  \
            for (int t = 0; t < CONV_POOL2_TAPS; t++) *(VT *)(dk + (t0 + t) * filters + f) = sum[t]; \
        }                                                                                          \
        if (t0 == taps) { *(VT *)(db + f) = dbsum; continue; }                                     \
        for (ptrdiff_t oy = 0; oy < out_height; oy++)                                              \
            for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                         \
                CONV_POOL2_SPREAD(VT, L, RECTIFIED, t0 == 0)                                       \
                for (ptrdiff_t t = t0; t < taps; t++) {                                            \
                    ptrdiff_t o = CONV_POOL2_TAP_OFFSET(t);                                        \
                    VT *acc = (VT *)(dk + t * filters + f);                                        \
                    *acc += a[o] * ga + b[o] * gb + d[o] * gd + e[o] * ge;                         \
                }                                                                                  \
            }                                                                                      \
        *(VT *)(db + f) = dbsum;                                                                   \
    }
// The commonest case alone again, a 3x3 kernel on one channel: the nine taps' sums of NV
// vectors of L filters in registers over every window, the spread made in vectors, each
// window's four products added one multiply-add at a time (other roundings than the general
// pass's, the same terms). With RECTIFIED the gradient is first g·(y > 0), as there.
#define CONV3_GRADIENT_PASS(VT, IT, BT, L, NV, RECTIFIED)                                          \
    for (ptrdiff_t f = 0; f < filters; f += L * NV) {                                              \
        VT sum[9][NV], dbsum[NV];                                                                  \
        for (int v = 0; v < NV; v++) {                                                             \
            dbsum[v] = *(VT *)(db + f + L * v);                                                    \
            for (int t = 0; t < 9; t++) sum[t][v] = *(VT *)(dk + t * filters + f + L * v);         \
        }                                                                                          \
        for (ptrdiff_t oy = 0; oy < out_height; oy++)                                              \
            for (ptrdiff_t ox = 0; ox < out_width; ox++) {                                         \
                ptrdiff_t at = (oy * out_width + ox) * filters + f;                                \
                VT gq[4][NV];                                                                      \
                for (int v = 0; v < NV; v++) {                                                     \
                    VT gv = *(const VT *)(g + at + L * v);                                         \
                    /* times (y > 0) as a product: as a select it became a masked load, which stalls */ \
                    if (RECTIFIED) gv *= __builtin_convertvector((IT)(*(const VT *)(y + at + L * v) > 0) & 1, VT); \
                    IT bits = __builtin_convertvector(*(const BT *)(mask + at + L * v), IT);       \
                    for (int q = 0; q < 4; q++) gq[q][v] = (VT)((IT)gv & -((bits >> q) & 1));      \
                    dbsum[v] += (gq[0][v] + gq[1][v]) + (gq[2][v] + gq[3][v]);                     \
                }                                                                                  \
                const float *a = x + 2 * oy * row_stride + 2 * ox;                                 \
                _Pragma("clang loop unroll(full)")                                                 \
                for (int i = 0; i < 3; i++)                                                        \
                    _Pragma("clang loop unroll(full)")                                             \
                    for (int j = 0; j < 3; j++) {                                                  \
                        const float *r0 = a + i * row_stride + j, *r1 = r0 + row_stride;           \
                        for (int v = 0; v < NV; v++) {                                             \
                            VT s = sum[3 * i + j][v];                                              \
                            s += r0[0] * gq[0][v];                                                 \
                            s += r0[1] * gq[1][v];                                                 \
                            s += r1[0] * gq[2][v];                                                 \
                            s += r1[1] * gq[3][v];                                                 \
                            sum[3 * i + j][v] = s;                                                 \
                        }                                                                          \
                    }                                                                              \
            }                                                                                      \
        for (int v = 0; v < NV; v++) {                                                             \
            *(VT *)(db + f + L * v) = dbsum[v];                                                    \
            for (int t = 0; t < 9; t++) *(VT *)(dk + t * filters + f + L * v) = sum[t][v];         \
        }                                                                                          \
    }
#define CONV_POOL2_GRADIENT_BODY                                                                   \
    {                                                                                              \
        ptrdiff_t depth = k * channels, taps = k * depth;                                          \
        float spread[5][16];                                                                       \
        if (channels == 1 && k == 3 && isa_registers >= 32 && filters % 32 == 0) {                 \
            if (y) { CONV3_GRADIENT_PASS(conv_vector, conv_ints, conv_bytes, 16, 2, 1) }           \
            else { CONV3_GRADIENT_PASS(conv_vector, conv_ints, conv_bytes, 16, 2, 0) }             \
            return;                                                                                \
        }                                                                                          \
        if (channels == 1 && k == 3 && filters % 8 == 0) {                                         \
            if (y) { CONV3_GRADIENT_PASS(conv_half, conv_half_ints, conv_half_bytes, 8, 1, 1) }    \
            else { CONV3_GRADIENT_PASS(conv_half, conv_half_ints, conv_half_bytes, 8, 1, 0) }      \
            return;                                                                                \
        }                                                                                          \
        if (isa_registers >= 32 && y) { CONV_POOL2_GRADIENT_PASS(conv_vector, 16, 1) }             \
        else if (isa_registers >= 32) { CONV_POOL2_GRADIENT_PASS(conv_vector, 16, 0) }             \
        else if (y) { CONV_POOL2_GRADIENT_PASS(conv_half, 8, 1) }                                  \
        else { CONV_POOL2_GRADIENT_PASS(conv_half, 8, 0) }                                         \
    }
ISA_CLONES(conv_pool2_gradient, CONV_POOL2_GRADIENT_ARGS, CONV_POOL2_GRADIENT_BODY)

void fashion_convolve_max_pool2_gradient(CONV_POOL2_GRADIENT_ARGS) {
    ISA_DISPATCH(conv_pool2_gradient, dk, db, mask, g, y, x, row_stride, channels, k, filters, out_height,
                 out_width);
}
