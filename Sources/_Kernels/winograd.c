// Winograd F(2x2, 3x3)'s transforms (see kernels.c for how each body is compiled per
// instruction set); the products are the matrix product's.
#include "isa.h"
#include "kernels.h"
#include <math.h>
#include <string.h>

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
// The image's rows first..<first + count that exist, asked of the caches ahead of the tiles
// that read them (a hint; the image is usually in L3, written by the step before).
#define WINO_PREFETCH_ROWS(first, count)                                                           \
    for (ptrdiff_t y = (first) < 0 ? 0 : (first); y < (first) + (count) && y < height; y++)        \
        PREFETCH_BYTES(image + y * row, (ptrdiff_t)sizeof(float) * row, 0)
// A tile inside the image reads its 16 pixels at fixed offsets from its corner; one on the
// border through a table of pointers (zeros outside).
#define WINO_CORNER(K) (corner + ((K) >> 2) * row + ((K) & 3) * channels)
#define WINO_TABLE(K) (p[K])
#define WINO_IN_BODY                                                                               \
    {                                                                                              \
        ptrdiff_t row = width * channels;                                                          \
        WINO_PREFETCH_ROWS(-pad_top, 4)                                                            \
        for (ptrdiff_t ty = 0; ty < tiles_h; ty++) {                                               \
            WINO_PREFETCH_ROWS(2 * ty + 4 - pad_top, 2)                                            \
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
        }                                                                                          \
    }

// Y = Aᵀ M A per tile and filter, plus the bias, written where the output exists.
#define WINO_OUT_ARGS const float *restrict m, ptrdiff_t plane_stride, ptrdiff_t filters, ptrdiff_t tiles_h, \
                      ptrdiff_t tiles_w, ptrdiff_t out_h, ptrdiff_t out_w, const float *restrict bias, \
                      float *restrict out, float *restrict sink
// A tile's four outputs Aᵀ M A + bias for filter o, from the 16 planes at in, into y0..y3
// (top left, top right, bottom left, bottom right).
#define WINO_TILE_OUTPUTS(o, y0, y1, y2, y3)                                                       \
    float e[16];                                                                                   \
    for (int x = 0; x < 16; x++) e[x] = in[x * plane_stride + (o)];                                \
    float u0[4], u1[4];                                                                            \
    for (int s = 0; s < 4; s++) {                                                                  \
        u0[s] = e[s] + e[4 + s] + e[8 + s];                                                        \
        u1[s] = e[4 + s] - e[8 + s] - e[12 + s];                                                   \
    }                                                                                              \
    float b = bias[o];                                                                             \
    float y0 = b + (u0[0] + u0[1] + u0[2]), y1 = b + (u0[1] - u0[2] - u0[3]);                      \
    float y2 = b + (u1[0] + u1[1] + u1[2]), y3 = b + (u1[1] - u1[2] - u1[3]);
#define WINO_OUT_TILE(Q)                                                                           \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t o = 0; o < filters; o++) {                                                      \
        WINO_TILE_OUTPUTS(o, y0, y1, y2, y3)                                                       \
        Q(0)[o] = y0;                                                                              \
        Q(1)[o] = y1;                                                                              \
        Q(2)[o] = y2;                                                                              \
        Q(3)[o] = y3;                                                                              \
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
// Z = A g Aᵀ for filter o of a tile from its 2x2 output gradient, into the 16 planes at out.
#define WINO_TILE_GRADIENT(o, g00, g01, g10, g11)                                                  \
    {                                                                                              \
        /* w = A g (rows): w0 = g0, w1 = g0 + g1, w2 = g0 - g1, w3 = -g1, per column */            \
        float w[4][2] = {{g00, g01}, {g00 + g10, g01 + g11}, {g00 - g10, g01 - g11}, {-g10, -g11}}; \
        for (int r = 0; r < 4; r++) {                                                              \
            float a0 = w[r][0], a1 = w[r][1];                                                      \
            out[(4 * r) * plane_stride + (o)] = a0;                                                \
            out[(4 * r + 1) * plane_stride + (o)] = a0 + a1;                                       \
            out[(4 * r + 2) * plane_stride + (o)] = a0 - a1;                                       \
            out[(4 * r + 3) * plane_stride + (o)] = -a1;                                           \
        }                                                                                          \
    }
#define WINO_GRAD_TILE(G)                                                                          \
    _Pragma("clang loop vectorize(assume_safety)")                                                 \
    for (ptrdiff_t o = 0; o < filters; o++) {                                                      \
        float g00 = G(0)[o], g01 = G(1)[o], g10 = G(2)[o], g11 = G(3)[o];                          \
        WINO_TILE_GRADIENT(o, g00, g01, g10, g11)                                                  \
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
                    WINO_TILE_OUTPUTS(f, va, vb, vd, ve)                                           \
                    POOL2_WRITE(va, vb, vd, ve, relu, o[f], k[f])                                  \
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
                    float g00, g01, g10, g11;                                                      \
                    POOL2_SPREAD(bits, v, g00, g01, g10, g11)                                      \
                    db[o] += v * POOL2_COUNT;                                                      \
                    WINO_TILE_GRADIENT(o, g00, g01, g10, g11)                                      \
                }                                                                                  \
            }                                                                                      \
    }

ISA_CLONES(wino_in, WINO_IN_ARGS, WINO_IN_BODY)
ISA_CLONES(wino_out, WINO_OUT_ARGS, WINO_OUT_BODY)
ISA_CLONES(wino_grad, WINO_GRAD_ARGS, WINO_GRAD_BODY)
ISA_CLONES(wino_dx, WINO_DX_ARGS, WINO_DX_BODY)
ISA_CLONES(wino_pool, WINO_POOL_ARGS, WINO_POOL_BODY)
ISA_CLONES(wino_pool_grad, WINO_POOL_GRAD_ARGS, WINO_POOL_GRAD_BODY)

void fashion_winograd_input(WINO_IN_ARGS) {
    ISA_DISPATCH(wino_in, image, height, width, channels, tiles_h, tiles_w, pad_top, pad_left, v, plane_stride,
                  zeros);
}

void fashion_winograd_output(WINO_OUT_ARGS) {
    ISA_DISPATCH(wino_out, m, plane_stride, filters, tiles_h, tiles_w, out_h, out_w, bias, out, sink);
}

void fashion_winograd_output_gradient(WINO_GRAD_ARGS) {
    ISA_DISPATCH(wino_grad, dy, out_h, out_w, filters, tiles_h, tiles_w, z, plane_stride, zeros);
}

void fashion_winograd_input_gradient(WINO_DX_ARGS) {
    ISA_DISPATCH(wino_dx, q, plane_stride, channels, tiles_h, tiles_w, height, width, pad_top, pad_left, dx, sink);
}

void fashion_winograd_output_pool(WINO_POOL_ARGS) {
    ISA_DISPATCH(wino_pool, m, plane_stride, filters, tiles_w, pooled_h, pooled_w, bias, relu, y, mask);
}

void fashion_winograd_pooled_gradient(WINO_POOL_GRAD_ARGS) {
    ISA_DISPATCH(wino_pool_grad, g, mask, y, db, pooled_h, pooled_w, filters, tiles_h, tiles_w, z, plane_stride);
}
