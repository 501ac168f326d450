// The vector types the C kernels are written with (clang's vector extensions), shared by the
// micro-kernels and the FMA-peak loop; private to this target.
#ifndef NN_VECTORS_H
#define NN_VECTORS_H

#if defined(__x86_64__) || defined(__i386__)
#define NN_X86 1
#endif

typedef float nn_f32x2 __attribute__((vector_size(8)));
typedef float nn_f32x4 __attribute__((vector_size(16)));
typedef double nn_f64x2 __attribute__((vector_size(16)));
#if NN_X86
typedef float nn_f32x8 __attribute__((vector_size(32)));
typedef float nn_f32x16 __attribute__((vector_size(64)));
typedef double nn_f64x4 __attribute__((vector_size(32)));
typedef double nn_f64x8 __attribute__((vector_size(64)));
#endif

// `mask ? a : b` lane by lane for vectors (C has no vector conditional): a comparison's lanes
// are all ones or all zeros, and a cast between vectors of one size reinterprets the bits.
#define NN_SELECT(mask, a, b) ((__typeof__(a))(((__typeof__(mask))(a) & (mask)) | ((__typeof__(mask))(b) & ~(mask))))

// Swift's `min(max(g, −c), c)` (its `max(x, y)` is `y >= x ? y : x`, its `min(x, y)` is
// `y < x ? y : x`, so a NaN gradient stays NaN), for vectors and for scalars. The vector's
// bounds are splatted with `{0} + c` and negated after, so that c = 0 gives −0 below as the
// scalar `-c` does.
#define NN_CLAMP_VECTOR(TYPE, g, c)                                                  \
    do {                                                                             \
        TYPE high_ = (TYPE){0} + (c), low_ = -high_;                                 \
        g = NN_SELECT(low_ >= g, low_, g);                                           \
        g = NN_SELECT(high_ < g, high_, g);                                          \
    } while (0)
#define NN_CLAMP_SCALAR(TYPE, g, c)                                                  \
    do {                                                                             \
        g = (-(c) >= g) ? -(c) : g;                                                  \
        g = ((c) < g) ? (c) : g;                                                     \
    } while (0)

#endif
