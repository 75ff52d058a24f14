#ifndef FASHION_KERNELS_H
#define FASHION_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is m x k, op(B) is k x n.
/// Compiled for AVX-512, AVX2+FMA and baseline, chosen at load time by the CPU.
void fashion_sgemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);

/// The same at a given level (0 baseline, 1 AVX2, 2 AVX-512; capped at what the CPU has), for
/// tests of every path on one machine.
void fashion_sgemm_at_level(int level, int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            float alpha, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta,
                            float *c, ptrdiff_t ldc);

/// One Adam step over n values (Keras's form): m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
/// theta -= alpha m / (sqrt(v) + eps); with decay > 0 first theta -= theta * decay.
void fashion_adam_update(float *theta, const float *g, float *m, float *v, ptrdiff_t n,
                         float alpha, float beta1, float beta2, float epsilon, float decay);

/// dst[i] = src[i] / 255 (exactly, as a division), for n bytes.
void fashion_bytes_to_unit(const uint8_t *src, float *dst, ptrdiff_t n);
/// Asks the caches for the `bytes` from `start` (a hint: no effect on any result).
void fashion_prefetch(const void *start, ptrdiff_t bytes);

/// packed[p * n + j] = b[j * ldb + p] for p < k, j < n (the n x k block at b transposed), in 8 x 8 register blocks.
void fashion_transpose(const float *b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t n, float *packed);

/// The name of the clone the loader chose for this CPU ("avx512", "avx2" or "baseline").
const char *fashion_kernel_level(void);

/// Max pooling's backward for one input pixel of `n` channels: dx[c] += g[c] where the
/// input x[c] equals its window's maximum best[c].
void fashion_max_pool_backward_pixel(float *dx, const float *x, const float *best, const float *g, ptrdiff_t n);

/// im2col for one image [height, width, channels]: row y * out_width + x of `rows` is the k x k
/// window at (y, x) of a convolution of stride `stride`, [i, j, c], zero outside the image.
void fashion_im2col(float *rows, const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                    ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t k, ptrdiff_t stride, ptrdiff_t pad_top,
                    ptrdiff_t pad_left);

/// Max pooling's backward on one image of height x width x channels whose size x size windows
/// tile it (stride size, no padding; out_height x out_width windows): dx = g where x equals its
/// window's maximum best, else 0; what no window covers is 0.
void fashion_max_pool_tiled_backward(float *dx, const float *x, const float *best, const float *g, ptrdiff_t height,
                                     ptrdiff_t width, ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width,
                                     ptrdiff_t size);

/// Max pooling 2x2, stride 2, on one image (rows of width x channels; out_height x out_width
/// windows inside it): y = each window's maximum of x + bias (bias may be NULL; with relu,
/// max(0, that)), mask = the bits (1, 2, 4, 8: top left, top right, bottom left, bottom right)
/// of its pixels equal to the maximum.
void fashion_max_pool2(float *y, uint8_t *mask, const float *x, const float *bias, int relu, ptrdiff_t width,
                       ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width);
/// Its backward: dx = the window's g where the mask has the pixel, else 0, and 0 where no
/// window reaches; with y (the rectified output, may be NULL) g is taken as g * (y > 0) first,
/// and with db (may be NULL) db += g times the pixels it went to.
void fashion_max_pool2_backward(float *dx, const uint8_t *mask, const float *g, const float *y, float *db,
                                ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels, ptrdiff_t out_height,
                                ptrdiff_t out_width);

/// A stride-1 convolution (kernel k x k, w [k][k·channels][filters], filters a multiple of 16)
/// of one image laid out in rows of row_stride floats (padded already), and the 2x2 max
/// pooling of its output with the bias (relu: max(0, y)): y and mask as fashion_max_pool2
/// writes them; the convolution's own output is not written.
void fashion_convolve_max_pool2(float *y, uint8_t *mask, const float *x, const float *w, const float *bias, int relu,
                                ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t k, ptrdiff_t filters,
                                ptrdiff_t out_height, ptrdiff_t out_width);

/// Its kernel and bias gradients from one image, added onto dk and db: the pooled gradient g
/// (times (y > 0) first when y, the rectified output, is not NULL) spread by the mask to the
/// windows' pixels, times the image's values at each tap; db += g times the pixels it went to.
void fashion_convolve_max_pool2_gradient(float *dk, float *db, const uint8_t *mask, const float *g, const float *y,
                                         const float *x, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t k,
                                         ptrdiff_t filters, ptrdiff_t out_height, ptrdiff_t out_width);

/// Runs `iterations` rounds of 12 (AVX-512: 24) independent fused multiply-add chains at the kernels' vector
/// width and returns the floating-point operations done: time it to get the FMA ceiling.
double fashion_fma_operations(long iterations);

/// A hint to the CPU inside a spin-wait loop (x86 PAUSE, arm64 YIELD).
void fashion_spin_pause(void);

/// Winograd F(2x2, 3x3) transforms of one NHWC image (see kernels.c). A tile (ty, tx) of
/// tiles_h x tiles_w covers outputs from (2ty, 2tx) and inputs from (2ty - pad_top,
/// 2tx - pad_left), zero outside; its 16 values are in planes ξ = 0..15 at ξ * plane_stride,
/// its channels (filters) at tile * channels. `zeros` holds channels (filters) zeros and
/// `sink` 16 x channels (4 x filters) floats of scratch for writes that fall outside.
/// Input: V = Bᵀ d B.
void fashion_winograd_input(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t channels,
                            ptrdiff_t tiles_h, ptrdiff_t tiles_w, ptrdiff_t pad_top, ptrdiff_t pad_left, float *v,
                            ptrdiff_t plane_stride, const float *zeros);
/// Output: Y = Aᵀ M A + bias, where the output exists (out_h x out_w x filters).
void fashion_winograd_output(const float *m, ptrdiff_t plane_stride, ptrdiff_t filters, ptrdiff_t tiles_h,
                             ptrdiff_t tiles_w, ptrdiff_t out_h, ptrdiff_t out_w, const float *bias, float *out,
                             float *sink);
/// The output gradient: Z = A dY Aᵀ (dY zero past the output).
void fashion_winograd_output_gradient(const float *dy, ptrdiff_t out_h, ptrdiff_t out_w, ptrdiff_t filters,
                                      ptrdiff_t tiles_h, ptrdiff_t tiles_w, float *z, ptrdiff_t plane_stride,
                                      const float *zeros);
/// The input gradient: dx += B Q Bᵀ, tile by tile in order, where the input exists.
void fashion_winograd_input_gradient(const float *q, ptrdiff_t plane_stride, ptrdiff_t channels, ptrdiff_t tiles_h,
                                     ptrdiff_t tiles_w, ptrdiff_t height, ptrdiff_t width, ptrdiff_t pad_top,
                                     ptrdiff_t pad_left, float *dx, float *sink);

/// Output and 2x2 max pooling: Y = Aᵀ M A + bias per tile, each of the first pooled_h x pooled_w
/// tiles pooled as fashion_max_pool2 pools (y, mask; with relu, y = max(0, y)).
void fashion_winograd_output_pool(const float *m, ptrdiff_t plane_stride, ptrdiff_t filters, ptrdiff_t tiles_w,
                                  ptrdiff_t pooled_h, ptrdiff_t pooled_w, const float *bias, int relu, float *y,
                                  uint8_t *mask);
/// Its backward: Z = A dY Aᵀ, dY the pooled gradient g spread by the mask (g * (y > 0) first
/// when y, the rectified output, is not NULL), 0 for tiles that are no window; db += g times
/// the pixels it went to.
void fashion_winograd_pooled_gradient(const float *g, const uint8_t *mask, const float *y, float *db,
                                      ptrdiff_t pooled_h, ptrdiff_t pooled_w, ptrdiff_t filters, ptrdiff_t tiles_h,
                                      ptrdiff_t tiles_w, float *z, ptrdiff_t plane_stride);

/// The 8-bit product's best path on this CPU: 2 AVX-512 VNNI, 1 AVX2, 0 plain loops (quantized.c).
int fashion_int8_path(void);
/// The bytes that fashion_int8_pack writes for a k x n matrix on any path (k padded to 4, n to 16).
ptrdiff_t fashion_int8_packed_bytes(ptrdiff_t k, ptrdiff_t n);
/// Packs the k x n row-major weights w (each in [-127, 127]) for `path`: quads of bytes for
/// path 2, pairs of int16 for paths 1 and 0; fashion_int8_packed_bytes(k, n) bytes at packed.
void fashion_int8_pack(int path, const int8_t *w, ptrdiff_t k, ptrdiff_t n, void *packed);
/// c[i * ldc + j] = Σ_p a[i * lda + p] · w[p][j] in 32-bit integers, exactly, for i < m and
/// j < n rounded up to 16 (those columns 0). Each row of a must have k rounded up to 4 bytes
/// readable. `packed` from fashion_int8_pack for the same path; a path the CPU lacks writes nothing.
void fashion_int8_gemm(int path, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *a, ptrdiff_t lda,
                       const void *packed, int32_t *c, ptrdiff_t ldc);
/// q[i] = clamp(round-half-even(x[i] / scale) + zero_point, 0, 255), as ONNX's QuantizeLinear (NaN to 0).
void fashion_int8_quantize(const float *x, ptrdiff_t n, float scale, int32_t zero_point, uint8_t *q);
/// y[i * ldy + j] = c[i * ldc + j] · scale[j] + offset[j] for i < m, j < n.
void fashion_int8_dequantize(const int32_t *c, ptrdiff_t ldc, ptrdiff_t m, ptrdiff_t n, const float *scale,
                             const float *offset, float *y, ptrdiff_t ldy);
/// im2col of one uint8 image [height, width, channels], as fashion_im2col: row y * out_width + x
/// (at rows + that · ldr) is the k x k window at (y, x), [i, j, c], `zero` (the quantized 0) outside.
/// It reads up to 7 bytes past the image and writes up to 7 past the last window (and past
/// each window's k·k·c bytes, up to ldr): both buffers need that room.
void fashion_int8_im2col(uint8_t *rows, ptrdiff_t ldr, const uint8_t *image, ptrdiff_t height, ptrdiff_t width,
                         ptrdiff_t channels, ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t k, ptrdiff_t stride,
                         ptrdiff_t pad_top, ptrdiff_t pad_left, uint8_t zero);
/// A convolution's sums for one output image (`width` pixels a row, `ldc` apart) pooled 2x2
/// (stride 2, out_height x out_width windows) and dequantized: y[(py·out_width + px)·n + o] =
/// max over the window of c[·][o] · scale[o] + offset[o] (relu: max(0, that)); scale > 0.
void fashion_int8_dequantize_pool2(const int32_t *c, ptrdiff_t ldc, ptrdiff_t width, ptrdiff_t n,
                                   ptrdiff_t out_height, ptrdiff_t out_width, const float *scale,
                                   const float *offset, int relu, float *y);

#endif
