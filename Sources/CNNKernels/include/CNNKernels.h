// The C part of swift-nn's kernels: single-precision matrix-product micro-kernels and the
// packing routines that feed them, each compiled for several instruction sets and chosen
// at run time for the CPU at hand. Blocking, threading and everything else live in Swift
// (Sources/NNCore/Kernels); this target holds only what Swift cannot compile for a CPU
// feature that the package's baseline target lacks, without unsafe flags.
#ifndef CNNKERNELS_H
#define CNNKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets a kernel is compiled for, best last.
typedef enum {
    NNInstructionSetBaseline = 0, ///< The target's baseline (SSE2 on x86-64, NEON on arm64).
    NNInstructionSetAVX2 = 1,     ///< AVX2 with FMA3.
    NNInstructionSetAVX512 = 2,   ///< AVX-512 F.
} NNInstructionSet;

/// The register tile of a micro-kernel: it updates `rows × columns` elements of C.
typedef struct {
    int rows;    ///< MR: rows of A packed together.
    int columns; ///< NR: columns of B packed together.
} NNTileShape;

/// The best instruction set that both this CPU and this build support.
NNInstructionSet nn_best_instruction_set(void);

/// The tile of the micro-kernel compiled for `set`.
NNTileShape nn_sgemm_tile(NNInstructionSet set);

/// Packs the `rows × depth` block of op(A) whose element (i, p) is
/// `a[i * rowStride + p * depthStride]` into panels of `tile.rows` rows, each stored
/// depth-major (`tile.rows` values per depth step); the last panel is padded with zeros.
void nn_sgemm_pack_a(NNInstructionSet set, const float *a, ptrdiff_t rowStride, ptrdiff_t depthStride,
                     int rows, int depth, float *packed);

/// `nn_sgemm_pack_a` for the transposed im2col rows of a convolution (a weight gradient's
/// op(A) = rowsᵀ), read from the padded image instead of written-out rows: element (i, p) is
/// value `firstIndex + i` of the window at `image + positionOffsets[p]`, whose values lie in
/// runs of `runLength` (a window's row of pixels, all channels), `runStride` apart. The same
/// panels as packing the written-out rows.
void nn_sgemm_pack_a_windows(NNInstructionSet set, const float *image, const ptrdiff_t *positionOffsets, int depth,
                             int firstIndex, int rows, int runLength, ptrdiff_t runStride, float *packed);

/// Packs the `depth × columns` block of op(B) whose element (p, j) is
/// `b[p * depthStride + j * columnStride]` into panels of `tile.columns` columns, each
/// stored depth-major; the last panel is padded with zeros.
void nn_sgemm_pack_b(NNInstructionSet set, const float *b, ptrdiff_t depthStride, ptrdiff_t columnStride,
                     int depth, int columns, float *packed);

/// `C[0..<rows, 0..<columns] += Ã · B̃` (or `=` when `overwrite` is nonzero: C is then not
/// read, so it need not be zeroed first) for one packed panel of A and one of B, `depth`
/// steps long; `c` is row-major with `cRowStride` floats between rows. `rows` and
/// `columns` may be smaller than the tile (edge tiles). When `bias` is not NULL, `bias[j]` is
/// added to column j after the sum (pass it with the last depth slab: the result is then the
/// bits of the whole product plus the bias, as a separate pass would give).
void nn_sgemm_micro(NNInstructionSet set, int depth, const float *packedA, const float *packedB,
                    float *c, ptrdiff_t cRowStride, int rows, int columns, int overwrite, const float *bias);
/// `nn_sgemm_micro` with A read where it lies instead of from a packed panel: element (i, p)
/// of the `rows × depth` block is `a[i * aRowStride + p * aDepthStride]` (`rows` may be
/// smaller than the tile; no row past it is read). The same bits as packing this block and
/// calling `nn_sgemm_micro`; faster when B is narrow, so that each block of A would be
/// used only a few times after being packed.
void nn_sgemm_micro_direct(NNInstructionSet set, int depth, const float *a, ptrdiff_t aRowStride, ptrdiff_t aDepthStride,
                           const float *packedB, float *c, ptrdiff_t cRowStride, int rows, int columns, int overwrite,
                           const float *bias);
/// `nn_sgemm_micro_direct` on the im2col rows of a convolution, read from the padded image
/// instead of written-out rows: row i of the `rows × depth` block starts at
/// `a + rowOffsets[i]` and lies in runs of `runLength` adjacent values, `runGap` values apart
/// (the gap between the end of one run and the start of the next); the block starts `run`
/// values before the end of a run. The same bits as `nn_sgemm_micro_direct` on the rows.
void nn_sgemm_micro_windows(NNInstructionSet set, int depth, const float *a, const ptrdiff_t *rowOffsets, int run,
                            int runLength, ptrdiff_t runGap, const float *packedB, float *c, ptrdiff_t cRowStride, int rows,
                            int columns, int overwrite, const float *bias);
/// `C += op(A)·op(B)` without packing, for products too small or too flat to repay it: `m×k`
/// op(A) with element (i, p) at `a[i * aRowStride + p * aDepthStride]`, `k×n` op(B) with
/// element (p, j) at `b[p * bDepthStride + j * bColumnStride]` (one of the two strides is 1),
/// row-major C. When `streamB` is not 0 and B's rows are contiguous, each row of C is summed
/// by reading B row after row (for a B larger than the L2 cache); the bits are the same.
void nn_sgemm_small(NNInstructionSet set, int m, int n, int k,
                    const float *a, ptrdiff_t aRowStride, ptrdiff_t aDepthStride,
                    const float *b, ptrdiff_t bDepthStride, ptrdiff_t bColumnStride,
                    float *c, ptrdiff_t cRowStride, int streamB);

/// Runs `iterations` rounds of independent multiply-adds in registers with the vectors of
/// `set` (for measuring the core's peak; returns a value only so that the loop is kept).
float nn_fma_peak_loop(NNInstructionSet set, long iterations);

/// The floating-point operations one round of `nn_fma_peak_loop` performs for `set`.
long nn_fma_peak_flops_per_iteration(NNInstructionSet set);

/// The constants of one Adam step for one parameter, rounded to single precision.
typedef struct {
    float beta1, oneMinusBeta1;   ///< β₁ and 1 − β₁.
    float beta2, oneMinusBeta2;   ///< β₂ and 1 − β₂.
    float epsilon;                ///< ε, added to √v̂.
    float decay;                  ///< 1 − η·λ (AdamW's decoupled decay; 1 for Adam).
    float stepSize;               ///< η / (1 − β₁ᵗ).
    float secondCorrectionInverse; ///< 1 / (1 − β₂ᵗ).
    float gradientScale;          ///< The factor every gradient is multiplied by first.
    float clip;                   ///< The bound gradients are clamped to, when `clamps` is nonzero.
    float penalty;                ///< The coupled L2 coefficient λ: λ·θ is added to the gradient.
    int clamps;                   ///< Whether to clamp gradients to ±`clip`.
} NNAdamCoefficients;

/// One Adam step over `count` single-precision elements, in one pass: `g ← clamp(s·∇) + λθ`,
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ·decay − stepSize·m / (√(v·c₂) + ε)`.
/// Every instruction set gives the same bits (no fused multiply-adds). On x86 the pass
/// treats subnormal inputs and results as zero (FTZ and DAZ, restored afterwards).
void nn_adam_f32(NNInstructionSet set, const NNAdamCoefficients *coefficients, float *values, const float *gradients,
                 float *firstMoments, float *secondMoments, long count);

/// `output[i] = tanh(input[i])` for `count` single-precision values (within 2 ulp; NaN stays
/// NaN); `output` may be `input`. Every instruction set gives the same bits.
void nn_tanh_f32(NNInstructionSet set, const float *input, float *output, long count);

/// `output[i] = σ(input[i]) = 1/(1 + e^−input[i])` for `count` single-precision values
/// (within 3 ulp; NaN stays NaN); `output` may be `input`. Every instruction set gives the
/// same bits.
void nn_sigmoid_f32(NNInstructionSet set, const float *input, float *output, long count);

/// The constants of one plain gradient step for one parameter (in double precision).
typedef struct {
    double learningRate;  ///< η.
    double gradientScale; ///< The factor every gradient is multiplied by first.
    double clip;          ///< The bound gradients are clamped to, when `clamps` is nonzero.
    double penalty;       ///< The coupled L2 coefficient λ: λ·θ is added to the gradient.
    int clamps;           ///< Whether to clamp gradients to ±`clip`.
} NNGradientStepCoefficients;

/// `θ ← θ − η·(clamp(s·∇) + λθ)` over `count` single-precision elements, computed in double
/// precision and rounded once per element; every instruction set gives the same bits.
void nn_gradient_step_f32(NNInstructionSet set, const NNGradientStepCoefficients *coefficients, float *values,
                          const float *gradients, long count);

/// The constants of one momentum step for one parameter (in double precision).
typedef struct {
    double learningRate;  ///< η.
    double momentum;      ///< μ.
    double gradientScale; ///< The factor every gradient is multiplied by first.
    double clip;          ///< The bound gradients are clamped to, when `clamps` is nonzero.
    double penalty;       ///< The coupled L2 coefficient λ: λ·θ is added to the gradient.
    int clamps;           ///< Whether to clamp gradients to ±`clip`.
    int nesterov;         ///< Whether to take Nesterov's look-ahead step.
} NNMomentumStepCoefficients;

/// `g ← clamp(s·∇) + λθ`, `v ← μ·v + g`, `θ ← θ − η·v` (Nesterov: `θ ← θ − η·(g + μ·v)`) over
/// `count` single-precision elements, computed in double precision and rounded once per
/// stored value; every instruction set gives the same bits.
void nn_momentum_step_f32(NNInstructionSet set, const NNMomentumStepCoefficients *coefficients, float *values,
                          const float *gradients, float *velocity, long count);

#ifdef __cplusplus
}
#endif

#endif
