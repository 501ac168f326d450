// The momentum step for single-precision parameters (PyTorch's `SGD(momentum=μ)`, with or
// without Nesterov): `v ← μ·v + g`, `θ ← θ − η·v` (Nesterov: `θ ← θ − η·(g + μ·v)`), the
// gradient scaled, clamped and L2-penalised first, computed in double precision and rounded
// once per stored value, as the Swift rule does it element by element; one vectorised pass,
// compiled once per instruction set with target attributes and chosen at run time.
#include "CNNKernels.h"
#include "vectors.h"

// No fused multiply-adds: every instruction set gives the bits of the scalar Swift rule.
#pragma clang fp contract(off)

static void momentum_scalar(const NNMomentumStepCoefficients *k, float *values, const float *gradients, float *velocity,
                            long start, long count) {
    for (long i = start; i < count; i++) {
        double x = values[i], g = gradients[i];
        g = g * k->gradientScale;
        if (k->clamps) NN_CLAMP_SCALAR(double, g, k->clip);
        g = g + k->penalty * x;
        double speed = k->momentum * (double)velocity[i] + g;
        velocity[i] = (float)speed;
        double direction = k->nesterov ? g + k->momentum * speed : speed;
        values[i] = (float)(x - k->learningRate * direction);
    }
}

#define NN_DEFINE_MOMENTUM(NAME, ATTRIBUTES, FLOATS, DOUBLES, W)                                   \
    ATTRIBUTES static void NAME(const NNMomentumStepCoefficients *k, float *values,                \
                                const float *gradients, float *velocity, long count) {             \
        typedef FLOATS unaligned __attribute__((aligned(4)));                                      \
        long i = 0;                                                                                \
        for (; i + W <= count; i += W) {                                                           \
            DOUBLES x = __builtin_convertvector(*(const unaligned *)(values + i), DOUBLES);        \
            DOUBLES g = __builtin_convertvector(*(const unaligned *)(gradients + i), DOUBLES);     \
            DOUBLES v = __builtin_convertvector(*(const unaligned *)(velocity + i), DOUBLES);      \
            g = g * k->gradientScale;                                                              \
            if (k->clamps) NN_CLAMP_VECTOR(DOUBLES, g, k->clip);                                   \
            g = g + k->penalty * x;                                                                \
            DOUBLES speed = k->momentum * v + g;                                                   \
            *(unaligned *)(velocity + i) = __builtin_convertvector(speed, FLOATS);                 \
            DOUBLES direction = k->nesterov ? g + k->momentum * speed : speed;                     \
            *(unaligned *)(values + i) = __builtin_convertvector(x - k->learningRate * direction, FLOATS); \
        }                                                                                          \
        momentum_scalar(k, values, gradients, velocity, i, count);                                 \
    }

NN_DEFINE_MOMENTUM(momentum_baseline, , nn_f32x2, nn_f64x2, 2)
#if NN_X86
NN_DEFINE_MOMENTUM(momentum_avx2, __attribute__((target("avx2"))), nn_f32x4, nn_f64x4, 4)
NN_DEFINE_MOMENTUM(momentum_avx512, __attribute__((target("avx512f"))), nn_f32x8, nn_f64x8, 8)
#endif

void nn_momentum_step_f32(NNInstructionSet set, const NNMomentumStepCoefficients *coefficients, float *values,
                          const float *gradients, float *velocity, long count) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: momentum_avx512(coefficients, values, gradients, velocity, count); break;
    case NNInstructionSetAVX2: momentum_avx2(coefficients, values, gradients, velocity, count); break;
#endif
    default: momentum_baseline(coefficients, values, gradients, velocity, count); break;
    }
}
