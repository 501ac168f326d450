// tanh and the logistic sigmoid for single-precision buffers, branch-free, compiled once per
// instruction set with target attributes and chosen at run time (in Swift, SIMD8<Float> runs
// as two SSE halves on the package's baseline target).
//
// tanh: an odd Taylor polynomial where |x| < ½ (where (e−1)/(e+1) would lose bits to
// cancellation), (e−1)/(e+1) with e = exp(2|x|) up to 2, 1 − 2/(e+1) beyond, the sign copied
// back; within 2 ulp of the exact value. σ(x) = E/(E+1) for x ≥ 0 and 1/(E+1) for x < 0 with
// E = exp(|x|), within 3 ulp. exp(v) for v in [0, 20] is 2ⁿ·exp(r), r = v − n·ln 2, with a
// degree-8 polynomial. (VectorTanhTests measures both against Double.)
#include "CNNKernels.h"
#include "vectors.h"
#include <stdint.h>
#include <string.h>

// Only the four basic operations, each rounded once, no fused multiply-adds: every
// instruction set then gives the same bits, and a run's numbers do not depend on the CPU.
#pragma clang fp contract(off)

// `output[i] = FUNCTION(input[i])` over `count` values, W at a time. The last few values go
// through the same lanes (zeros after them), so every value gets the same rounding whatever
// its position; each chunk is loaded before it is stored, so `output` may be `input`.
#define NN_DEFINE_MAP(NAME, FUNCTION, ATTRIBUTES, FLOATS, W)                                            \
    ATTRIBUTES static void NAME(const float *input, float *output, long count) {                      \
        long i = 0;                                                                                    \
        for (; i + W <= count; i += W) {                                                               \
            FLOATS x;                                                                                  \
            memcpy(&x, input + i, sizeof x);                                                           \
            x = FUNCTION(x);                                                                           \
            memcpy(output + i, &x, sizeof x);                                                          \
        }                                                                                              \
        if (i < count) {                                                                               \
            FLOATS x = (FLOATS){0};                                                                    \
            memcpy(&x, input + i, sizeof(float) * (size_t)(count - i));                                \
            x = FUNCTION(x);                                                                           \
            memcpy(output + i, &x, sizeof(float) * (size_t)(count - i));                               \
        }                                                                                              \
    }

// One body per vector width: FLOATS holds W floats, BITS W 32-bit unsigned integers.
#define NN_DEFINE_ACTIVATIONS(SUFFIX, ATTRIBUTES, FLOATS, BITS, W)                                     \
    /* exp(v) for v in [0, 20]. Adding 1.5·2²³ rounds v/ln 2 to an integer n (to nearest, ties */      \
    /* to even) and leaves n in the low bits of the sum; ln 2 in two parts keeps r's low bits. */     \
    ATTRIBUTES static inline FLOATS exp_##SUFFIX(FLOATS v) {                                           \
        const FLOATS magic = (FLOATS){0} + 12582912.0f;                                                \
        FLOATS shifted = v * 1.44269504f + magic;                                                      \
        FLOATS n = shifted - magic;                                                                    \
        FLOATS r = (v - n * 0.693359375f) - n * -2.1219444e-4f;                                        \
        FLOATS p = (FLOATS){0} + 1.0f / 40320;                                                         \
        p = p * r + 1.0f / 5040;                                                                       \
        p = p * r + 1.0f / 720;                                                                        \
        p = p * r + 1.0f / 120;                                                                        \
        p = p * r + 1.0f / 24;                                                                         \
        p = p * r + 1.0f / 6;                                                                          \
        p = p * r + 0.5f;                                                                              \
        p = p * r + 1.0f;                                                                              \
        p = p * r + 1.0f;                                                                              \
        BITS exponent = ((BITS)shifted - 0x4B400000u + 127u) << 23;                                    \
        return p * (FLOATS)exponent;                                                                   \
    }                                                                                                  \
                                                                                                       \
    ATTRIBUTES static inline FLOATS tanh_##SUFFIX(FLOATS x) {                                          \
        const BITS sign = (BITS){0} + 0x80000000u;                                                     \
        BITS xBits = (BITS)x;                                                                          \
        FLOATS absolute = (FLOATS)(xBits & ~sign);                                                     \
        /* tanh(|x|) rounds to 1 beyond 9.01; the clamp keeps exp finite. */                          \
        FLOATS magnitude = NN_SELECT(absolute > 10.0f, (FLOATS){0} + 10.0f, absolute);                 \
        FLOATS square = magnitude * magnitude;                                                         \
        /* Taylor through x¹⁷; the first coefficient is 6404582/10854718875. */                       \
        FLOATS series = (FLOATS){0} + 0.00059002744f;                                                  \
        series = series * square + -0.0014558344f;                                                     \
        series = series * square + 0.0035921280f;                                                      \
        series = series * square + -0.0088632355f;                                                     \
        series = series * square + 0.021869488f;                                                       \
        series = series * square + -0.053968254f;                                                      \
        series = series * square + 0.13333333f;                                                        \
        series = series * square + -0.33333334f;                                                       \
        FLOATS small = magnitude + magnitude * square * series;                                        \
        FLOATS e = exp_##SUFFIX(magnitude + magnitude);                                                \
        FLOATS medium = (e - 1.0f) / (e + 1.0f);                                                       \
        FLOATS large = 1.0f - 2.0f / (e + 1.0f);                                                       \
        FLOATS unsignedValue = NN_SELECT(magnitude >= 0.5f, medium, small);                            \
        unsignedValue = NN_SELECT(magnitude >= 2.0f, large, unsignedValue);                            \
        FLOATS signedValue = (FLOATS)((BITS)unsignedValue | (xBits & sign)); /* keeps −0 as −0 */      \
        return NN_SELECT(x != x, x, signedValue);                                                      \
    }                                                                                                  \
                                                                                                       \
    ATTRIBUTES static inline FLOATS sigmoid_##SUFFIX(FLOATS x) {                                       \
        const BITS sign = (BITS){0} + 0x80000000u;                                                     \
        FLOATS absolute = (FLOATS)((BITS)x & ~sign);                                                   \
        /* σ is 1 in Float beyond 20, and below 2.1e-9 on the other side. */                          \
        FLOATS magnitude = NN_SELECT(absolute > 20.0f, (FLOATS){0} + 20.0f, absolute);                 \
        FLOATS e = exp_##SUFFIX(magnitude);                                                            \
        FLOATS inverse = 1.0f / (e + 1.0f);                                                            \
        FLOATS result = NN_SELECT(x < 0.0f, inverse, e * inverse);                                     \
        return NN_SELECT(x != x, x, result);                                                           \
    }                                                                                                  \
                                                                                                       \
    NN_DEFINE_MAP(map_tanh_##SUFFIX, tanh_##SUFFIX, ATTRIBUTES, FLOATS, W)                             \
    NN_DEFINE_MAP(map_sigmoid_##SUFFIX, sigmoid_##SUFFIX, ATTRIBUTES, FLOATS, W)

typedef uint32_t nn_u32x4 __attribute__((vector_size(16)));
NN_DEFINE_ACTIVATIONS(baseline, , nn_f32x4, nn_u32x4, 4)
#if NN_X86
typedef uint32_t nn_u32x8 __attribute__((vector_size(32)));
typedef uint32_t nn_u32x16 __attribute__((vector_size(64)));
NN_DEFINE_ACTIVATIONS(avx2, __attribute__((target("avx2"))), nn_f32x8, nn_u32x8, 8)
NN_DEFINE_ACTIVATIONS(avx512, __attribute__((target("avx512f"))), nn_f32x16, nn_u32x16, 16)
#endif

void nn_tanh_f32(NNInstructionSet set, const float *input, float *output, long count) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: map_tanh_avx512(input, output, count); break;
    case NNInstructionSetAVX2: map_tanh_avx2(input, output, count); break;
#endif
    default: map_tanh_baseline(input, output, count); break;
    }
}

void nn_sigmoid_f32(NNInstructionSet set, const float *input, float *output, long count) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: map_sigmoid_avx512(input, output, count); break;
    case NNInstructionSetAVX2: map_sigmoid_avx2(input, output, count); break;
#endif
    default: map_sigmoid_baseline(input, output, count); break;
    }
}
