// Single-precision matrix-product micro-kernels and packing, compiled once per instruction
// set with target attributes and chosen at run time: no compiler flags needed, so the
// package stays free of unsafeFlags and still runs on CPUs without AVX2 or AVX-512.
#include "CNNKernels.h"
#include "vectors.h"
#include <stdint.h>
#include <string.h>
#if NN_X86
#include <immintrin.h>
#endif

// Multiply-adds are written out: fused (one rounding) where the instruction set has FMA,
// separate (two roundings) where it does not, and never left to the optimiser, which fuses
// `acc + a * b` in a release build but not in a debug one: a debug and a release build then
// give the same bits, and a long training run the same numbers.
#pragma clang fp contract(off)
#define NN_MADD_FUSED(acc, a, b) __builtin_elementwise_fma((a), (b), (acc))
#define NN_MADD_SEPARATE(acc, a, b) ((acc) + (a) * (b))
#if defined(__aarch64__)
#define NN_MADD_BASELINE NN_MADD_FUSED   // NEON always has FMA
#else
#define NN_MADD_BASELINE NN_MADD_SEPARATE   // SSE2 has none
#endif


// The tiles: MR rows × (NV vectors of W floats). The accumulators (MR·NV vectors) plus NV
// vectors of B and one broadcast must fit the register file: 16 registers for SSE2/NEON
// and AVX2, 32 for AVX-512.
enum { BASE_MR = 6, BASE_NV = 2, BASE_W = 4 };
#if NN_X86
enum { AVX2_MR = 6, AVX2_NV = 2, AVX2_W = 8 };
enum { AVX512_MR = 12, AVX512_NV = 2, AVX512_W = 16 };
#endif

#define NN_UNROLL _Pragma("clang loop unroll(full)")

// The pieces every micro-kernel body is made of. The loops have constant trip counts, so the
// compiler unrolls them and keeps the MR·NV accumulators `acc` in registers.
// Clears the accumulators, and asks for the tile of C now, so that it is in L1 when the sums
// are stored: rows a power of two apart (a 1024-wide C) share a cache set and are soon evicted.
#define NN_TILE_BEGIN(VECTOR, W, MR, NV)                                                        \
    VECTOR acc[MR][NV];                                                                          \
    NN_UNROLL for (int i = 0; i < MR; i++)                                                       \
        NN_UNROLL for (int v = 0; v < NV; v++) acc[i][v] = (VECTOR){0};                          \
    NN_UNROLL for (int i = 0; i < MR; i++) if (i < rows) {                                       \
        __builtin_prefetch(c + i * ldc, 1, 3);                                                   \
        __builtin_prefetch(c + i * ldc + NV * W - 1, 1, 3);                                      \
    }
// One depth step: acc[i] += A(i, p) · B(p, ·), A(i, p) at pa[offset[i]], B's NV vectors at pb.
#define NN_TILE_STEP(VECTOR, W, MR, NV, MADD)                                                   \
    {                                                                                            \
        VECTOR bv[NV];                                                                           \
        NN_UNROLL for (int v = 0; v < NV; v++) memcpy(&bv[v], pb + v * W, sizeof(VECTOR));      \
        NN_UNROLL for (int i = 0; i < MR; i++) {                                                 \
            VECTOR s;                                                                            \
            const float x = pa[offset[i]];                                                       \
            NN_UNROLL for (int l = 0; l < W; l++) s[l] = x;                                      \
            NN_UNROLL for (int v = 0; v < NV; v++) acc[i][v] = MADD(acc[i][v], s, bv[v]);        \
        }                                                                                        \
    }
// Stores the tile: C = acc or C += acc, plus the bias when one is given; edge tiles element
// by element.
#define NN_TILE_STORE(VECTOR, W, MR, NV)                                                        \
    if (rows == MR && columns == NV * W) {                                                       \
        VECTOR bias_v[NV];                                                                       \
        if (bias) NN_UNROLL for (int v = 0; v < NV; v++) memcpy(&bias_v[v], bias + v * W, sizeof(VECTOR)); \
        NN_UNROLL for (int i = 0; i < MR; i++)                                                   \
            NN_UNROLL for (int v = 0; v < NV; v++) {                                             \
                VECTOR cv = acc[i][v];                                                           \
                if (!overwrite) {                                                                \
                    VECTOR old;                                                                  \
                    memcpy(&old, c + i * ldc + v * W, sizeof(VECTOR));                           \
                    cv += old;                                                                   \
                }                                                                                \
                if (bias) cv += bias_v[v];                                                       \
                memcpy(c + i * ldc + v * W, &cv, sizeof(VECTOR));                                \
            }                                                                                    \
    } else {                                                                                     \
        float tile[MR][NV * W];                                                                  \
        NN_UNROLL for (int i = 0; i < MR; i++)                                                   \
            NN_UNROLL for (int v = 0; v < NV; v++) memcpy(&tile[i][v * W], &acc[i][v], sizeof(VECTOR)); \
        for (int i = 0; i < rows; i++)                                                           \
            for (int j = 0; j < columns; j++) {                                                  \
                float value = overwrite ? tile[i][j] : c[i * ldc + j] + tile[i][j];              \
                c[i * ldc + j] = bias ? value + bias[j] : value;                                 \
            }                                                                                    \
    }

// The micro-kernel. DIRECT (a constant) picks where A comes from: 0, a packed panel
// (element (i, p) at pa[p·MR + i]); 1, A itself, element (i, p) at pa[i·ars + p·ads], rows
// past `rows` reading the last row again (their sums are not stored), so nothing outside A
// is read. Both give the same bits.
#define NN_DEFINE_MICRO_KERNEL(NAME, ATTRIBUTES, VECTOR, W, MR, NV, MADD, DIRECT)                \
    ATTRIBUTES static void NAME(int depth, const float *restrict pa, ptrdiff_t ars, ptrdiff_t ads, \
                                const float *restrict pb, float *restrict c, ptrdiff_t ldc,      \
                                int rows, int columns, int overwrite, const float *restrict bias) { \
        ptrdiff_t offset[MR];                                                                    \
        NN_UNROLL for (int i = 0; i < MR; i++) offset[i] = DIRECT ? (i < rows ? i : rows - 1) * ars : i; \
        const ptrdiff_t step = DIRECT ? ads : MR;                                                \
        NN_TILE_BEGIN(VECTOR, W, MR, NV)                                                         \
        _Pragma("clang loop unroll_count(4)")                                                    \
        for (int p = 0; p < depth; p++) {                                                        \
            NN_TILE_STEP(VECTOR, W, MR, NV, MADD)                                                \
            pa += step;                                                                          \
            pb += NV * W;                                                                        \
        }                                                                                        \
        NN_TILE_STORE(VECTOR, W, MR, NV)                                                         \
    }

// The micro-kernel on the im2col rows of a convolution, read from the padded image instead of
// being written out: row i of A starts at pa + rowOffsets[i] (rows past `rows` read the last
// row again), and lies in runs of `runLength` adjacent values (a window's row of pixels, all
// channels), `runGap` values apart; the slab starts `run` values before the end of a run.
// Each sum is taken over p in order, as the direct kernel takes it on the written-out rows:
// the same bits.
#define NN_DEFINE_WINDOWS_KERNEL(NAME, ATTRIBUTES, VECTOR, W, MR, NV, MADD)                      \
    ATTRIBUTES static void NAME(int depth, const float *restrict pa, const ptrdiff_t *restrict rowOffsets, \
                                int run, int runLength, ptrdiff_t runGap, const float *restrict pb, \
                                float *restrict c, ptrdiff_t ldc, int rows, int columns, int overwrite, \
                                const float *restrict bias) {                                    \
        ptrdiff_t offset[MR];                                                                    \
        NN_UNROLL for (int i = 0; i < MR; i++) offset[i] = rowOffsets[i < rows ? i : rows - 1];  \
        NN_TILE_BEGIN(VECTOR, W, MR, NV)                                                         \
        for (int left = depth; left > 0; run = runLength) {                                      \
            if (run > left) run = left;                                                          \
            _Pragma("clang loop unroll_count(4)")                                                \
            for (int p = 0; p < run; p++) {                                                      \
                NN_TILE_STEP(VECTOR, W, MR, NV, MADD)                                            \
                pa += 1;                                                                         \
                pb += NV * W;                                                                    \
            }                                                                                    \
            left -= run;                                                                         \
            pa += runGap;                                                                        \
        }                                                                                        \
        NN_TILE_STORE(VECTOR, W, MR, NV)                                                         \
    }

// C += op(A)·op(B) without packing. Wide rows keep NV·W columns of C in registers for the
// whole depth (a single sample's product reads B once, and C is loaded and stored once rather
// than once per depth step); narrower leftovers run C[i, j…] += A(i, p) · B[p, j…], whose inner
// loop the compiler vectorises. When B is stored transposed (its columns contiguous) or has a
// single column, each element is a dot product, summed in W partial sums.
#define NN_DEFINE_SMALL_KERNEL(NAME, ATTRIBUTES, VECTOR, W, NV, MADD)                           \
    /* Each kind of product runs its own loop over the rows of C, so that each sets up only */  \
    /* what it uses: in one loop for all three, every call paid for the set-up of all three */  \
    /* (some 200 instructions, most of the cost of a per-sample step's product). */             \
    /* Σ_p A(i, p)·B(p, j) for one element: in W partial sums when both are contiguous. */      \
    ATTRIBUTES static inline float NAME##_dot(int k, const float *restrict arow, ptrdiff_t ads, \
                                              const float *restrict column, ptrdiff_t bds) {    \
        float sum = 0;                                                                          \
        int p = 0;                                                                              \
        if (ads == 1 && bds == 1 && k >= W) {                                                   \
            VECTOR partial = (VECTOR){0};                                                       \
            for (; p + W <= k; p += W) {                                                        \
                VECTOR av, bv;                                                                  \
                memcpy(&av, arow + p, sizeof(VECTOR));                                          \
                memcpy(&bv, column + p, sizeof(VECTOR));                                        \
                partial = MADD(partial, av, bv);                                                \
            }                                                                                   \
            NN_UNROLL for (int v = 0; v < W; v++) sum += partial[v];                            \
        }                                                                                       \
        for (; p < k; p++) sum = MADD(sum, arow[p * ads], column[p * bds]);                     \
        return sum;                                                                             \
    }                                                                                           \
                                                                                                \
    ATTRIBUTES static void NAME##_dots(int m, int n, int k, const float *restrict a, ptrdiff_t ars, \
                                       ptrdiff_t ads, const float *restrict b, ptrdiff_t bds,   \
                                       ptrdiff_t bcs, float *restrict c, ptrdiff_t crs) {       \
        for (int i = 0; i < m; i++)                                                             \
            for (int j = 0; j < n; j++) c[i * crs + j] += NAME##_dot(k, a + i * ars, ads, b + j * bcs, bds); \
    }                                                                                           \
    /* B beyond L2 (a single sample's wide layer): read it row after row, as it lies, four */   \
    /* rows at a time, into C's row held in L1, so that the hardware prefetcher streams it. */  \
    /* Each sum runs over p in the same order as in NAME##_rows. */                             \
    ATTRIBUTES static void NAME##_streamed(int m, int n, int k, const float *restrict a, ptrdiff_t ars, \
                                           ptrdiff_t ads, const float *restrict b, ptrdiff_t bds, \
                                           float *restrict c, ptrdiff_t crs) {                  \
        for (int i = 0; i < m; i++) {                                                           \
            float *restrict row = c + i * crs;                                                  \
            const float *restrict arow = a + i * ars;                                           \
            int p = 0;                                                                          \
            for (; p + 4 <= k; p += 4) {                                                        \
                const float *restrict b0 = b + p * bds, *restrict b1 = b0 + bds;                \
                const float *restrict b2 = b1 + bds, *restrict b3 = b2 + bds;                   \
                VECTOR s0, s1, s2, s3;                                                          \
                NN_UNROLL for (int l = 0; l < W; l++) {                                         \
                    s0[l] = arow[p * ads];                                                      \
                    s1[l] = arow[(p + 1) * ads];                                                \
                    s2[l] = arow[(p + 2) * ads];                                                \
                    s3[l] = arow[(p + 3) * ads];                                                \
                }                                                                               \
                int j = 0;                                                                      \
                for (; j + W <= n; j += W) {                                                    \
                    VECTOR cv, v0, v1, v2, v3;                                                  \
                    memcpy(&cv, row + j, sizeof(VECTOR));                                       \
                    memcpy(&v0, b0 + j, sizeof(VECTOR));                                        \
                    memcpy(&v1, b1 + j, sizeof(VECTOR));                                        \
                    memcpy(&v2, b2 + j, sizeof(VECTOR));                                        \
                    memcpy(&v3, b3 + j, sizeof(VECTOR));                                        \
                    cv = MADD(MADD(MADD(MADD(cv, s0, v0), s1, v1), s2, v2), s3, v3);            \
                    memcpy(row + j, &cv, sizeof(VECTOR));                                       \
                }                                                                               \
                for (; j < n; j++)                                                              \
                    row[j] = MADD(MADD(MADD(MADD(row[j], s0[0], b0[j]), s1[0], b1[j]), s2[0], b2[j]), s3[0], b3[j]); \
            }                                                                                   \
            for (; p < k; p++) {                                                                \
                const float scale = arow[p * ads];                                              \
                const float *restrict brow = b + p * bds;                                       \
                for (int j = 0; j < n; j++) row[j] = MADD(row[j], scale, brow[j]);              \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
                                                                                                \
    ATTRIBUTES static void NAME##_rows(int m, int n, int k, const float *restrict a, ptrdiff_t ars, \
                                       ptrdiff_t ads, const float *restrict b, ptrdiff_t bds,   \
                                       float *restrict c, ptrdiff_t crs) {                      \
        for (int i = 0; i < m; i++) {                                                           \
            float *restrict row = c + i * crs;                                                  \
            const float *restrict arow = a + i * ars;                                           \
            int j = 0;                                                                          \
            for (; j + NV * W <= n; j += NV * W) {                                              \
                VECTOR acc[NV];                                                                 \
                NN_UNROLL for (int v = 0; v < NV; v++) memcpy(&acc[v], row + j + v * W, sizeof(VECTOR)); \
                for (int p = 0; p < k; p++) {                                                   \
                    VECTOR scale;                                                               \
                    NN_UNROLL for (int l = 0; l < W; l++) scale[l] = arow[p * ads];             \
                    NN_UNROLL for (int v = 0; v < NV; v++) {                                    \
                        VECTOR bv;                                                              \
                        memcpy(&bv, b + p * bds + j + v * W, sizeof(VECTOR));                   \
                        acc[v] = MADD(acc[v], scale, bv);                                       \
                    }                                                                           \
                }                                                                               \
                NN_UNROLL for (int v = 0; v < NV; v++) memcpy(row + j + v * W, &acc[v], sizeof(VECTOR)); \
            }                                                                                   \
            if (j == n) continue;                                                               \
            for (int p = 0; p < k; p++) {                                                       \
                const float scale = arow[p * ads];                                              \
                const float *restrict brow = b + p * bds;                                       \
                for (int jj = j; jj < n; jj++) row[jj] = MADD(row[jj], scale, brow[jj]);        \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
                                                                                                \
    /* One row of C narrower than the wide loop (a per-sample step's product): for each p in */ \
    /* order, C's row += A(0, p) · B[p, …], W columns at a time; each element takes the same */ \
    /* operations in the same order as in NAME##_rows (the same bits), with none of that */     \
    /* loop's set-up. */                                                                        \
    ATTRIBUTES static void NAME##_one_row(int n, int k, const float *restrict a, ptrdiff_t ads, \
                                          const float *restrict b, ptrdiff_t bds, float *restrict c) { \
        for (int p = 0; p < k; p++) {                                                           \
            const float *restrict brow = b + p * bds;                                           \
            VECTOR scale;                                                                       \
            NN_UNROLL for (int l = 0; l < W; l++) scale[l] = a[p * ads];                        \
            int j = 0;                                                                          \
            for (; j + W <= n; j += W) {                                                        \
                VECTOR cv, bv;                                                                  \
                memcpy(&cv, c + j, sizeof(VECTOR));                                             \
                memcpy(&bv, brow + j, sizeof(VECTOR));                                          \
                cv = MADD(cv, scale, bv);                                                       \
                memcpy(c + j, &cv, sizeof(VECTOR));                                             \
            }                                                                                   \
            for (; j < n; j++) c[j] = MADD(c[j], scale[0], brow[j]);                            \
        }                                                                                       \
    }                                                                                           \
    ATTRIBUTES static void NAME(int m, int n, int k, const float *restrict a, ptrdiff_t ars,    \
                                ptrdiff_t ads, const float *restrict b, ptrdiff_t bds,          \
                                ptrdiff_t bcs, float *restrict c, ptrdiff_t crs, int stream) {  \
        if (n == 1 && ars == 1 && crs == 1) {                                                   \
            /* One column of C and A stored transposed (dW of a one-output layer): the rows */  \
            /* are contiguous in both, so the loop over them vectorises. */                     \
            for (int p = 0; p < k; p++) {                                                       \
                const float scale = b[p * bds];                                                 \
                const float *restrict column = a + p * ads;                                     \
                for (int i = 0; i < m; i++) c[i] = MADD(c[i], column[i], scale);                \
            }                                                                                   \
        } else if (m == 1 && n == 1) {                                                          \
            c[0] += NAME##_dot(k, a, ads, b, bds);                                              \
        } else if (m == 1 && bcs == 1 && n < NV * W && !stream) {                               \
            NAME##_one_row(n, k, a, ads, b, bds, c);                                            \
        } else if (bcs != 1 || n == 1) {                                                        \
            NAME##_dots(m, n, k, a, ars, ads, b, bds, bcs, c, crs);                             \
        } else if (stream) {                                                                    \
            NAME##_streamed(m, n, k, a, ars, ads, b, bds, c, crs);                              \
        } else {                                                                                \
            NAME##_rows(m, n, k, a, ars, ads, b, bds, c, crs);                                  \
        }                                                                                       \
    }

NN_DEFINE_MICRO_KERNEL(micro_baseline, , nn_f32x4, BASE_W, BASE_MR, BASE_NV, NN_MADD_BASELINE, 0)
NN_DEFINE_MICRO_KERNEL(micro_direct_baseline, , nn_f32x4, BASE_W, BASE_MR, BASE_NV, NN_MADD_BASELINE, 1)
NN_DEFINE_WINDOWS_KERNEL(micro_windows_baseline, , nn_f32x4, BASE_W, BASE_MR, BASE_NV, NN_MADD_BASELINE)
NN_DEFINE_SMALL_KERNEL(small_baseline, , nn_f32x4, BASE_W, 8, NN_MADD_BASELINE)
#if NN_X86
#define NN_AVX2 __attribute__((target("avx2,fma")))
#define NN_AVX512 __attribute__((target("avx512f,fma")))
NN_DEFINE_MICRO_KERNEL(micro_avx2, NN_AVX2, nn_f32x8, AVX2_W, AVX2_MR, AVX2_NV, NN_MADD_FUSED, 0)
NN_DEFINE_MICRO_KERNEL(micro_direct_avx2, NN_AVX2, nn_f32x8, AVX2_W, AVX2_MR, AVX2_NV, NN_MADD_FUSED, 1)
NN_DEFINE_WINDOWS_KERNEL(micro_windows_avx2, NN_AVX2, nn_f32x8, AVX2_W, AVX2_MR, AVX2_NV, NN_MADD_FUSED)
NN_DEFINE_MICRO_KERNEL(micro_avx512, NN_AVX512, nn_f32x16, AVX512_W, AVX512_MR, AVX512_NV, NN_MADD_FUSED, 0)
NN_DEFINE_MICRO_KERNEL(micro_direct_avx512, NN_AVX512, nn_f32x16, AVX512_W, AVX512_MR, AVX512_NV, NN_MADD_FUSED, 1)
NN_DEFINE_WINDOWS_KERNEL(micro_windows_avx512, NN_AVX512, nn_f32x16, AVX512_W, AVX512_MR, AVX512_NV, NN_MADD_FUSED)
NN_DEFINE_SMALL_KERNEL(small_avx2, __attribute__((target("avx2,fma"))), nn_f32x8, AVX2_W, 8, NN_MADD_FUSED)
NN_DEFINE_SMALL_KERNEL(small_avx512, __attribute__((target("avx512f,fma"))), nn_f32x16, AVX512_W, 8, NN_MADD_FUSED)
#endif

#if NN_X86
// NAME##_rows for AVX-512 when B's rows do not start on a 64-byte boundary (a tensor's
// elements follow its array's 32-byte header in a block aligned to 16 bytes: on a line only
// by chance). Every load of B there straddles two cache lines, and a single sample's product,
// which reads each value of B once, then ran at 0.8 of the speed of aligned loads. Here the vectors are laid
// on B's cache lines instead: vector v of a row covers the columns [16·v − lead, 16·v − lead
// + 16), the first and last masked to the columns that exist (masked lanes are neither read
// nor written). Each element of C is still C + Σ_p A(i, p)·B(p, j), fused, p in order: the
// bits of NAME##_rows, whatever B's strides. It is chosen only when B's depth stride is a
// multiple of 16, so that every row of B starts as far from a line as the first (otherwise
// the loads would straddle lines again, and nothing would be gained).
#define NN_ALIGNED_ROWS_PASS(NV)                                                                 \
    for (; v0 + NV <= vectors; v0 += NV) {                                                       \
        __m512 acc[NV];                                                                          \
        __mmask16 lanes[NV];                                                                     \
        NN_UNROLL for (int v = 0; v < NV; v++) {                                                 \
            const ptrdiff_t first = (v0 + v) * 16 - lead; /* the column of lane 0 */             \
            const int low = first < 0 ? (int)-first : 0, high = n - first < 16 ? (int)(n - first) : 16; \
            lanes[v] = (__mmask16)(((1u << high) - 1) & ~((1u << low) - 1));                     \
            acc[v] = _mm512_maskz_loadu_ps(lanes[v], row + first);                               \
        }                                                                                        \
        const float *restrict line = b + v0 * 16 - lead;                                         \
        for (int p = 0; p < k; p++) {                                                            \
            const __m512 scale = _mm512_set1_ps(arow[p * ads]);                                  \
            NN_UNROLL for (int v = 0; v < NV; v++)                                               \
                acc[v] = _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(lanes[v], line + p * bds + v * 16), acc[v]); \
        }                                                                                        \
        NN_UNROLL for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(row + (v0 + v) * 16 - lead, lanes[v], acc[v]); \
    }

NN_AVX512 static void rows_on_lines_avx512(int m, int n, int k, const float *restrict a, ptrdiff_t ars,
                                           ptrdiff_t ads, const float *restrict b, ptrdiff_t bds,
                                           float *restrict c, ptrdiff_t crs) {
    const ptrdiff_t lead = (ptrdiff_t)(((uintptr_t)b / sizeof(float)) % 16);
    const ptrdiff_t vectors = ((ptrdiff_t)n + lead + 15) / 16; /* in ptrdiff_t: n + 15 may not fit an int */
    for (int i = 0; i < m; i++) {
        float *restrict row = c + i * crs;
        const float *restrict arow = a + i * ars;
        ptrdiff_t v0 = 0;
        NN_ALIGNED_ROWS_PASS(8)
        NN_ALIGNED_ROWS_PASS(4)
        NN_ALIGNED_ROWS_PASS(2)
        NN_ALIGNED_ROWS_PASS(1)
    }
}
#endif

NNInstructionSet nn_best_instruction_set(void) {
#if NN_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return NNInstructionSetAVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return NNInstructionSetAVX2;
#endif
    return NNInstructionSetBaseline;
}

NNTileShape nn_sgemm_tile(NNInstructionSet set) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: return (NNTileShape){AVX512_MR, AVX512_NV * AVX512_W};
    case NNInstructionSetAVX2: return (NNTileShape){AVX2_MR, AVX2_NV * AVX2_W};
#endif
    default: return (NNTileShape){BASE_MR, BASE_NV * BASE_W};
    }
}

// One whole panel of MR rows (a constant once inlined): MR loads and stores per depth step
// with no per-element bounds, a copy of MR floats when the rows are adjacent.
__attribute__((always_inline)) static inline void pack_a_panel(int mr, const float *restrict panel, ptrdiff_t rowStride,
                                                               ptrdiff_t depthStride, int depth, float *restrict packed) {
    if (rowStride == 1) {
        for (int p = 0; p < depth; p++, packed += mr) memcpy(packed, panel + p * depthStride, sizeof(float) * (size_t)mr);
        return;
    }
    for (int p = 0; p < depth; p++, packed += mr)
        for (int i = 0; i < mr; i++) packed[i] = panel[i * rowStride + p * depthStride];
}

void nn_sgemm_pack_a(NNInstructionSet set, const float *a, ptrdiff_t rowStride, ptrdiff_t depthStride,
                     int rows, int depth, float *packed) {
    const int mr = nn_sgemm_tile(set).rows;
    for (int start = 0; start < rows; start += mr) {
        const int height = rows - start < mr ? rows - start : mr;
        const float *panel = a + start * rowStride;
        if (height == mr && (mr == 6 || mr == 12)) {   // the tiles' row counts, as constants
            if (mr == 6) pack_a_panel(6, panel, rowStride, depthStride, depth, packed);
            else pack_a_panel(12, panel, rowStride, depthStride, depth, packed);
            packed += mr * depth;
            continue;
        }
        for (int p = 0; p < depth; p++) {
            int i = 0;
            for (; i < height; i++) *packed++ = panel[i * rowStride + p * depthStride];
            for (; i < mr; i++) *packed++ = 0;
        }
    }
}

void nn_sgemm_pack_a_windows(NNInstructionSet set, const float *image, const ptrdiff_t *positionOffsets, int depth,
                             int firstIndex, int rows, int runLength, ptrdiff_t runStride, float *packed) {
    const int mr = nn_sgemm_tile(set).rows;
    ptrdiff_t offset[12];   // the largest MR
    for (int start = 0; start < rows; start += mr) {
        const int height = rows - start < mr ? rows - start : mr;
        const int first = firstIndex + start;
        for (int i = 0; i < height; i++)
            offset[i] = (ptrdiff_t)((first + i) / runLength) * runStride + (first + i) % runLength;
        // A whole panel inside one run: MR adjacent values per position, one copy each.
        if (height == mr && first % runLength + mr <= runLength && (mr == 6 || mr == 12)) {
            const float *panel = image + offset[0];
            if (mr == 6)
                for (int p = 0; p < depth; p++, packed += 6) memcpy(packed, panel + positionOffsets[p], sizeof(float) * 6);
            else
                for (int p = 0; p < depth; p++, packed += 12) memcpy(packed, panel + positionOffsets[p], sizeof(float) * 12);
            continue;
        }
        for (int p = 0; p < depth; p++) {
            const float *window = image + positionOffsets[p];
            int i = 0;
            for (; i < height; i++) *packed++ = window[offset[i]];
            for (; i < mr; i++) *packed++ = 0;
        }
    }
}

void nn_sgemm_pack_b(NNInstructionSet set, const float *b, ptrdiff_t depthStride, ptrdiff_t columnStride,
                     int depth, int columns, float *packed) {
    const int nr = nn_sgemm_tile(set).columns;
    for (int start = 0; start < columns; start += nr) {
        const int width = columns - start < nr ? columns - start : nr;
        const float *panel = b + start * columnStride;
        if (columnStride == 1 && width == nr) {
            for (int p = 0; p < depth; p++, packed += nr) memcpy(packed, panel + p * depthStride, sizeof(float) * (size_t)nr);
            continue;
        }
        for (int p = 0; p < depth; p++) {
            int j = 0;
            for (; j < width; j++) *packed++ = panel[p * depthStride + j * columnStride];
            for (; j < nr; j++) *packed++ = 0;
        }
    }
}

void nn_sgemm_micro(NNInstructionSet set, int depth, const float *packedA, const float *packedB,
                    float *c, ptrdiff_t cRowStride, int rows, int columns, int overwrite, const float *bias) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512: micro_avx512(depth, packedA, 0, 0, packedB, c, cRowStride, rows, columns, overwrite, bias); return;
    case NNInstructionSetAVX2: micro_avx2(depth, packedA, 0, 0, packedB, c, cRowStride, rows, columns, overwrite, bias); return;
#endif
    default: micro_baseline(depth, packedA, 0, 0, packedB, c, cRowStride, rows, columns, overwrite, bias); return;
    }
}

void nn_sgemm_micro_direct(NNInstructionSet set, int depth, const float *a, ptrdiff_t aRowStride, ptrdiff_t aDepthStride,
                           const float *packedB, float *c, ptrdiff_t cRowStride, int rows, int columns, int overwrite,
                           const float *bias) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512:
        micro_direct_avx512(depth, a, aRowStride, aDepthStride, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
    case NNInstructionSetAVX2:
        micro_direct_avx2(depth, a, aRowStride, aDepthStride, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
#endif
    default:
        micro_direct_baseline(depth, a, aRowStride, aDepthStride, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
    }
}

void nn_sgemm_micro_windows(NNInstructionSet set, int depth, const float *a, const ptrdiff_t *rowOffsets, int run,
                            int runLength, ptrdiff_t runGap, const float *packedB, float *c, ptrdiff_t cRowStride, int rows,
                            int columns, int overwrite, const float *bias) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512:
        micro_windows_avx512(depth, a, rowOffsets, run, runLength, runGap, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
    case NNInstructionSetAVX2:
        micro_windows_avx2(depth, a, rowOffsets, run, runLength, runGap, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
#endif
    default:
        micro_windows_baseline(depth, a, rowOffsets, run, runLength, runGap, packedB, c, cRowStride, rows, columns, overwrite, bias);
        return;
    }
}

void nn_sgemm_small(NNInstructionSet set, int m, int n, int k,
                    const float *a, ptrdiff_t aRowStride, ptrdiff_t aDepthStride,
                    const float *b, ptrdiff_t bDepthStride, ptrdiff_t bColumnStride,
                    float *c, ptrdiff_t cRowStride, int streamB) {
    switch (set) {
#if NN_X86
    case NNInstructionSetAVX512:
        // Where small_avx512 would run its blocked row loop on B's rows off a line boundary.
        if (bColumnStride == 1 && !streamB && n >= 8 * AVX512_W && bDepthStride % AVX512_W == 0 && (uintptr_t)b % 64 != 0) {
            rows_on_lines_avx512(m, n, k, a, aRowStride, aDepthStride, b, bDepthStride, c, cRowStride);
            return;
        }
        small_avx512(m, n, k, a, aRowStride, aDepthStride, b, bDepthStride, bColumnStride, c, cRowStride, streamB);
        return;
    case NNInstructionSetAVX2: small_avx2(m, n, k, a, aRowStride, aDepthStride, b, bDepthStride, bColumnStride, c, cRowStride, streamB); return;
#endif
    default: small_baseline(m, n, k, a, aRowStride, aDepthStride, b, bDepthStride, bColumnStride, c, cRowStride, streamB); return;
    }
}
