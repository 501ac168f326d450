// The vector types the C kernels are written with (clang's vector extensions), shared by the
// micro-kernels and the FMA-peak loop; private to this target.
#ifndef NN_VECTORS_H
#define NN_VECTORS_H

#if defined(__x86_64__) || defined(__i386__)
#define NN_X86 1
#endif

typedef float nn_f32x4 __attribute__((vector_size(16)));
#if NN_X86
typedef float nn_f32x8 __attribute__((vector_size(32)));
typedef float nn_f32x16 __attribute__((vector_size(64)));
#endif

#endif
