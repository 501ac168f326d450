/// The hot math of the framework, written once, generically, and specialised for `Float`
/// and `Double` through `TensorScalar`'s default implementations.
///
/// Every layer reaches these loops through `TensorScalar`; nothing else in the library
/// loops over tensor elements on a training step. Loops are ordered so that the innermost
/// one walks contiguous memory and can be vectorised by the compiler.
package enum Kernels {}
