// The plain gradient step for single-precision parameters, `θ ← θ − η·g`, with the gradient
// scaled, clamped and L2-penalised first, computed in double precision and rounded once, as
// the Swift rule does it element by element; one vectorised pass, compiled once per
// instruction set with target attributes and chosen at run time.
#include "CNNKernels.h"
#include "vectors.h"

// No fused multiply-adds: every instruction set gives the bits of the scalar Swift rule.
#pragma clang fp contract(off)

// The gradient in double precision, as the Swift rule computes it.
#define NN_STEP_BODY(DOUBLES, g, x)                                                    \
    do {                                                                               \
        g = g * k->gradientScale;                                                      \
        if (k->clamps) NN_CLAMP_VECTOR(DOUBLES, g, k->clip);                           \
        g = g + k->penalty * x;                                                        \
        x = x - k->learningRate * g;                                                   \
    } while (0)

static void step_scalar(const NNGradientStepCoefficients *k, float *values, const float *gradients, long start,
                        long count) {
    for (long i = start; i < count; i++) {
        double x = values[i], g = gradients[i];
        g = g * k->gradientScale;
        if (k->clamps) NN_CLAMP_SCALAR(double, g, k->clip);
        g = g + k->penalty * x;
        values[i] = (float)(x - k->learningRate * g);
    }
}

#define NN_DEFINE_STEP(NAME, ATTRIBUTES, FLOATS, DOUBLES, W)                                       \
    ATTRIBUTES static void NAME(const NNGradientStepCoefficients *k, float *values,                \
                                const float *gradients, long count) {                              \
        typedef FLOATS unaligned __attribute__((aligned(4)));                                      \
        long i = 0;                                                                                \
        for (; i + W <= count; i += W) {                                                           \
            DOUBLES x = __builtin_convertvector(*(const unaligned *)(values + i), DOUBLES);        \
            DOUBLES g = __builtin_convertvector(*(const unaligned *)(gradients + i), DOUBLES);     \
            NN_STEP_BODY(DOUBLES, g, x);                                                           \
            *(unaligned *)(values + i) = __builtin_convertvector(x, FLOATS);                       \
        }                                                                                          \
        step_scalar(k, values, gradients, i, count);                                               \
    }

NN_DEFINE_STEP(step_baseline, , nn_f32x2, nn_f64x2, 2)
#if NN_X86
NN_DEFINE_STEP(step_avx2, __attribute__((target("avx2"))), nn_f32x4, nn_f64x4, 4)
NN_DEFINE_STEP(step_avx512, __attribute__((target("avx512f"))), nn_f32x8, nn_f64x8, 8)
#endif

void nn_gradient_step_f32(NNInstructionSet set, const NNGradientStepCoefficients *coefficients, float *values,
                          const float *gradients, long count) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: step_avx512(coefficients, values, gradients, count); break;
    case NNInstructionSetAVX2: step_avx2(coefficients, values, gradients, count); break;
#endif
    default: step_baseline(coefficients, values, gradients, count); break;
    }
}
