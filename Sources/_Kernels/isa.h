// What the kernel files share: the attributes that compile a body for AVX-512 or AVX2 (the
// same source three times, with the baseline) and the level the loader chose (kernels.c).
#ifndef FASHION_ISA_H
#define FASHION_ISA_H

#if defined(__x86_64__)
#define X86 1
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2")))
#define AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))
#endif

/// The three clones of one kernel body: NAME_baseline, and on x86-64 NAME_avx2 and NAME_avx512.
/// In each, the constant isa_registers is how many 256-bit-or-wider vector registers the clone
/// may count on (a body that keeps sums in registers picks its blocking by it: spilled sums
/// stall). Elsewhere than x86-64 the baseline assumes 16, the smaller blocking.
#ifdef X86
#define ISA_CLONES(NAME, ARGS, BODY)                                          \
    static void NAME##_baseline(ARGS) { enum { isa_registers = 16 }; BODY }  \
    AVX2 static void NAME##_avx2(ARGS) { enum { isa_registers = 16 }; BODY } \
    AVX512 static void NAME##_avx512(ARGS) { enum { isa_registers = 32 }; BODY }
#else
#define ISA_CLONES(NAME, ARGS, BODY) static void NAME##_baseline(ARGS) { enum { isa_registers = 16 }; BODY }
#endif

/// Calls NAME_avx512, NAME_avx2 or NAME_baseline, as the loader chose, and returns.
#ifdef X86
#define ISA_DISPATCH(NAME, ...)                                              \
    do {                                                                     \
        if (fashion_isa_level == 2) { NAME##_avx512(__VA_ARGS__); return; }  \
        if (fashion_isa_level == 1) { NAME##_avx2(__VA_ARGS__); return; }    \
        NAME##_baseline(__VA_ARGS__);                                        \
    } while (0)
#else
#define ISA_DISPATCH(NAME, ...) NAME##_baseline(__VA_ARGS__)
#endif

/// A 2x2 max pooling window's maximum of va, vb, vd, ve (as Swift's max(best, v) from -inf, in
/// that order) into best, and the mask of the values equal to it (bits 1, 2, 4, 8) into bits.
#define POOL2_MAXIMUM(va, vb, vd, ve, best, bits)                                                  \
    float best = -INFINITY;                                                                        \
    best = (va) >= best ? (va) : best;                                                             \
    best = (vb) >= best ? (vb) : best;                                                             \
    best = (vd) >= best ? (vd) : best;                                                             \
    best = (ve) >= best ? (ve) : best;                                                             \
    uint8_t bits = (uint8_t)(((va) == best) | ((vb) == best) << 1 | ((vd) == best) << 2 | ((ve) == best) << 3);

/// A window pooled: its maximum (max(0, that) with relu) into out, its mask into mask_out.
#define POOL2_WRITE(va, vb, vd, ve, relu, out, mask_out)                                           \
    {                                                                                              \
        POOL2_MAXIMUM(va, vb, vd, ve, best, bits)                                                  \
        (out) = (relu) ? (best > 0 ? best : 0) : best;                                             \
        (mask_out) = bits;                                                                         \
    }

/// A window's gradient v spread by its mask bits to its pixels (top left, top right, bottom
/// left, bottom right): v where the mask has the pixel, else 0.
#define POOL2_SPREAD(bits, v, ga, gb, gd, ge)                                                      \
    (ga) = (float)((bits) & 1) * (v);                                                              \
    (gb) = (float)(((bits) >> 1) & 1) * (v);                                                       \
    (gd) = (float)(((bits) >> 2) & 1) * (v);                                                       \
    (ge) = (float)(((bits) >> 3) & 1) * (v);

/// How many of a 2x2 max pooling window's pixels the mask `bits` has (pooling.c, winograd.c).
#define POOL2_COUNT ((float)((bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1) + ((bits >> 3) & 1)))

/// Asks the caches for the `bytes` from `start`, a 64-byte line at a time (a hint: no result changes).
#define PREFETCH_BYTES(start, bytes, write)                                                        \
    for (ptrdiff_t prefetched = 0; prefetched < (bytes); prefetched += 64)                         \
        __builtin_prefetch((const char *)(start) + prefetched, write);

/// 0 baseline, 1 AVX2 with FMA, 2 AVX-512: set once when the library loads.
extern int fashion_isa_level;

#endif
