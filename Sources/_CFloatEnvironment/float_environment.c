#include "float_environment.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
void fashion_flush_denormals(void) {
    // MXCSR bit 15 = flush to zero, bit 6 = denormals are zero.
    _mm_setcsr(_mm_getcsr() | 0x8040);
}
#elif defined(__aarch64__)
void fashion_flush_denormals(void) {
    unsigned long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    fpcr |= (1UL << 24);  // FZ
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#else
void fashion_flush_denormals(void) {}
#endif
