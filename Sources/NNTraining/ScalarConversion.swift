import NNCore

/// `Double(value)` for the trainer's code, which runs unspecialised (it is generic over the
/// model, loss and optimiser): there the standard library's generic conversion goes through a
/// dynamic cast, some 300 instructions a call, once per training step. Specialised for
/// `Float` and `Double`, the generic entry point jumps straight to a one-instruction version.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
@inline(never)
func doubleValue<Scalar: TensorScalar>(_ value: Scalar) -> Double {
    Double(value)
}
