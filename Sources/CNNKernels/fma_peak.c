// A register-only loop of independent single-precision multiply-adds, compiled per
// instruction set like the micro-kernels: the core's floating-point peak, against which the
// benchmarks report what their products achieve. It touches no memory.
#include "CNNKernels.h"
#include "vectors.h"

#pragma clang fp contract(fast)


// Twelve accumulators: more than the FMA latency (4 cycles) times the FMA ports (2), so the
// loop is bound by throughput; `acc = acc·m + a` with m just below 1 stays finite and normal.
enum { NN_PEAK_ACCUMULATORS = 12 };

#define NN_DEFINE_PEAK(NAME, ATTRIBUTES, VECTOR)                                         \
    ATTRIBUTES static float NAME(long iterations) {                                      \
        VECTOR acc[NN_PEAK_ACCUMULATORS];                                                 \
        const VECTOR m = (VECTOR){0} + 0.999999f, a = (VECTOR){0} + 1e-6f;               \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < NN_PEAK_ACCUMULATORS; i++) \
            acc[i] = (VECTOR){0} + (float)i;                                              \
        for (long it = 0; it < iterations; it++) {                                        \
            _Pragma("clang loop unroll(full)") for (int i = 0; i < NN_PEAK_ACCUMULATORS; i++) \
                acc[i] = acc[i] * m + a;                                                  \
        }                                                                                 \
        float sum = 0;                                                                    \
        for (int i = 0; i < NN_PEAK_ACCUMULATORS; i++)                                    \
            for (unsigned lane = 0; lane < sizeof(VECTOR) / sizeof(float); lane++) sum += acc[i][lane]; \
        return sum;                                                                       \
    }

NN_DEFINE_PEAK(peak_baseline, , nn_f32x4)
#if NN_X86
NN_DEFINE_PEAK(peak_avx2, __attribute__((target("avx2,fma"))), nn_f32x8)
NN_DEFINE_PEAK(peak_avx512, __attribute__((target("avx512f"))), nn_f32x16)
#endif

long nn_fma_peak_flops_per_iteration(NNInstructionSet set) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: return 2L * NN_PEAK_ACCUMULATORS * 16;
    case NNInstructionSetAVX2: return 2L * NN_PEAK_ACCUMULATORS * 8;
#endif
    default: return 2L * NN_PEAK_ACCUMULATORS * 4;
    }
}

float nn_fma_peak_loop(NNInstructionSet set, long iterations) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: return peak_avx512(iterations);
    case NNInstructionSetAVX2: return peak_avx2(iterations);
#endif
    default: return peak_baseline(iterations);
    }
}
