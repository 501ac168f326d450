import NNCore

/// A model's parameters (or their gradients) copied into one contiguous buffer and back, so
/// that a ``GradientReducer`` can send them in one message. The buffer keeps its capacity, so
/// gathering step after step allocates nothing.
public struct FlatParameters<Scalar: TensorScalar>: Sendable {
    /// What is gathered.
    public enum Part: Sendable {
        /// The gradients of the trainable parameters, in traversal order.
        case trainableGradients
        /// The values of every parameter, trainable or not, in traversal order.
        case allValues
    }

    /// The gathered scalars, then any extra slots asked for.
    public var values: [Scalar] = []

    /// Creates an empty buffer.
    public init() {}

    /// Replaces ``values`` by `part` of `model`, each scalar multiplied by `scale`, followed by
    /// `extraSlots` zeros (for values sent in the same message).
    /// - Parameters:
    ///   - part: gradients or values.
    ///   - model: the model read (not changed; `inout` only to visit its parameters).
    ///   - scale: the factor applied to every scalar gathered.
    ///   - extraSlots: zeros appended after the parameters.
    public mutating func gather<Model: Layer>(_ part: Part, of model: inout Model, scaledBy scale: Scalar = 1, extraSlots: Int = 0)
    where Model.Scalar == Scalar {
        values.removeAll(keepingCapacity: true)
        model.visitParameters { _, parameter in
            switch part {
            case .trainableGradients:
                guard parameter.isTrainable else { return }
                append(parameter.gradient, scale: scale, expected: parameter.value.scalarCount)
            case .allValues:
                append(parameter.value, scale: scale, expected: parameter.value.scalarCount)
            }
        }
        values.append(contentsOf: repeatElement(0, count: extraSlots))
    }

    /// Writes ``values`` back into `part` of `model`, each scalar multiplied by `scale`; the
    /// extra slots after the parameters are left alone.
    /// - Parameters:
    ///   - part: gradients or values, as gathered.
    ///   - model: the model written.
    ///   - scale: the factor applied to every scalar written.
    public func scatter<Model: Layer>(_ part: Part, into model: inout Model, scaledBy scale: Scalar = 1) where Model.Scalar == Scalar {
        var position = 0
        model.visitParameters { _, parameter in
            switch part {
            case .trainableGradients:
                guard parameter.isTrainable else { return }
                // A frozen gradient may be empty; a trainable one always has the value's shape.
                if parameter.gradient.shape != parameter.value.shape { parameter.gradient = Tensor(zeros: parameter.value.shape) }
                copy(into: &parameter.gradient, from: &position, scale: scale)
            case .allValues:
                copy(into: &parameter.value, from: &position, scale: scale)
            }
        }
    }

    /// The number of scalars `part` of `model` holds.
    public static func count<Model: Layer>(_ part: Part, of model: Model) -> Int where Model.Scalar == Scalar {
        model.namedParameters.reduce(0) { total, named in
            part == .allValues || named.parameter.isTrainable ? total + named.parameter.value.scalarCount : total
        }
    }

    private mutating func append(_ tensor: Tensor<Scalar>, scale: Scalar, expected: Int) {
        guard tensor.scalarCount == expected else {
            // A gradient not yet allocated counts as zeros.
            values.append(contentsOf: repeatElement(0, count: expected))
            return
        }
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: expected))
        tensor.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                if scale == 1 {
                    for index in 0..<expected { target[start + index] = source[index] }
                } else {
                    for index in 0..<expected { target[start + index] = source[index] * scale }
                }
            }
        }
    }

    private func copy(into tensor: inout Tensor<Scalar>, from position: inout Int, scale: Scalar) {
        let count = tensor.scalarCount
        precondition(position + count <= values.count, "FlatParameters.scatter: the buffer holds \(values.count) scalars, the model more")
        let start = position
        values.withUnsafeBufferPointer { source in
            tensor.withUnsafeMutableBufferPointer { target in
                if scale == 1 {
                    for index in 0..<count { target[index] = source[start + index] }
                } else {
                    for index in 0..<count { target[index] = source[start + index] * scale }
                }
            }
        }
        position += count
    }
}
