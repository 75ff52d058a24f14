// What the kernel files share: the attributes that compile a body for AVX-512 or AVX2 (the
// same source three times, with the baseline) and the level the loader chose (kernels.c).
#ifndef FASHION_ISA_H
#define FASHION_ISA_H

#if defined(__x86_64__)
#define X86 1
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2")))
#define AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))
#endif

/// How many of a 2x2 max pooling window's pixels the mask `bits` has (pooling.c, winograd.c).
#define POOL2_COUNT ((float)((bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1) + ((bits >> 3) & 1)))

/// 0 baseline, 1 AVX2 with FMA, 2 AVX-512: set once when the library loads.
extern int fashion_isa_level;

#endif
