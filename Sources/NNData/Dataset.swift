import NNCore

/// A finite, indexable collection of (features, target) samples.
///
/// The trainer asks a batch schedule for sample indices, then calls ``batch(_:)`` once per
/// step: the samples arrive as two contiguous tensors shaped `[batch] + featureShape` and
/// `[batch] + targetShape`.
public protocol Dataset<Scalar>: Sendable {
    /// The element type of features and targets.
    associatedtype Scalar: TensorScalar

    /// The number of samples.
    var count: Int { get }
    /// The shape of one sample's features.
    var featureShape: [Int] { get }
    /// The shape of one sample's target (`[]` or `[1]` for a class index or a scalar).
    var targetShape: [Int] { get }

    /// The samples at `indices`, gathered into one features tensor and one targets tensor.
    func batch(_ indices: [Int]) -> (features: Tensor<Scalar>, targets: Tensor<Scalar>)

    /// Writes the samples at `indices` into `features` and `targets`, reshaping them as needed
    /// and reusing their storage when it fits (the trainer's per-step gather).
    func batch(_ indices: ArraySlice<Int>, features: inout Tensor<Scalar>, targets: inout Tensor<Scalar>)
}

extension Dataset {
    /// By default, the allocating ``batch(_:)``.
    public func batch(_ indices: ArraySlice<Int>, features: inout Tensor<Scalar>, targets: inout Tensor<Scalar>) {
        (features, targets) = batch(Array(indices))
    }
}
