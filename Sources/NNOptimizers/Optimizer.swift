import NNCore

/// An update rule: moves every trainable parameter of a model using the gradient that
/// backpropagation accumulated in it.
///
/// The caller (usually `Trainer`) owns the model and passes it in; the optimiser owns only
/// its own settings and per-parameter state. Frozen parameters (`isTrainable == false`)
/// must be left unchanged.
public protocol Optimizer {
    /// Applies one step to `model`'s trainable parameters. Does not zero the gradients.
    mutating func update<Model: Layer>(_ model: inout Model)
}
