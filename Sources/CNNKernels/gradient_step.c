// The plain gradient step for single-precision parameters, `θ ← θ − η·g`, with the gradient
// scaled, clamped and L2-penalised first, computed in double precision and rounded once, as
// the Swift rule does it element by element; one vectorised pass, compiled once per
// instruction set with target attributes and chosen at run time.
#include "CNNKernels.h"

// No fused multiply-adds: every instruction set gives the bits of the scalar Swift rule.
#pragma clang fp contract(off)

typedef double nn_f64x2 __attribute__((vector_size(16)));
#if defined(__x86_64__) || defined(__i386__)
typedef double nn_f64x4 __attribute__((vector_size(32)));
typedef double nn_f64x8 __attribute__((vector_size(64)));
typedef float nn_f32x2 __attribute__((vector_size(8)));
typedef float nn_f32x4s __attribute__((vector_size(16)));
typedef float nn_f32x8s __attribute__((vector_size(32)));
#endif

// `mask ? a : b` lane by lane (C has no vector conditional): the comparison's lanes are all
// ones or all zeros, and a cast between vectors of one size reinterprets the bits.
#define NN_SELECT(DOUBLES, mask, a, b) ((DOUBLES)(((__typeof__(mask))(a) & (mask)) | ((__typeof__(mask))(b) & ~(mask))))

// Swift's `min(max(g, −c), c)`: `max(x, y)` is `y >= x ? y : x` and `min(x, y)` is
// `y < x ? y : x`, so a NaN gradient stays NaN.
#define NN_STEP_BODY(DOUBLES, g, x)                                                    \
    do {                                                                               \
        g = g * k->gradientScale;                                                      \
        if (k->clamps) {                                                               \
            DOUBLES low = (DOUBLES){0} - k->clip, high = (DOUBLES){0} + k->clip;        \
            g = NN_SELECT(DOUBLES, low >= g, low, g);                                  \
            g = NN_SELECT(DOUBLES, high < g, high, g);                                 \
        }                                                                              \
        g = g + k->penalty * x;                                                        \
        x = x - k->learningRate * g;                                                   \
    } while (0)

static void step_scalar(const NNGradientStepCoefficients *k, float *values, const float *gradients, long start,
                        long count) {
    for (long i = start; i < count; i++) {
        double x = values[i], g = gradients[i];
        g = g * k->gradientScale;
        if (k->clamps) {
            g = (-k->clip >= g) ? -k->clip : g;
            g = (k->clip < g) ? k->clip : g;
        }
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
#if defined(__x86_64__) || defined(__i386__)
NN_DEFINE_STEP(step_avx2, __attribute__((target("avx2"))), nn_f32x4s, nn_f64x4, 4)
NN_DEFINE_STEP(step_avx512, __attribute__((target("avx512f"))), nn_f32x8s, nn_f64x8, 8)
#endif

void nn_gradient_step_f32(NNInstructionSet set, const NNGradientStepCoefficients *coefficients, float *values,
                          const float *gradients, long count) {
    switch (set) {
#if defined(__x86_64__) || defined(__i386__)
    case NNInstructionSetAVX512: step_avx512(coefficients, values, gradients, count); break;
    case NNInstructionSetAVX2: step_avx2(coefficients, values, gradients, count); break;
#endif
    default: step_baseline(coefficients, values, gradients, count); break;
    }
}
