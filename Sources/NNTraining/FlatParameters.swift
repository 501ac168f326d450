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
        let total = Self.scalarCount(part, of: &model) + extraSlots
        // Resized only when the size changes, so that a step neither allocates nor clears.
        if values.count != total { values = Array(repeating: 0, count: total) }
        var position = 0
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            model.visitParameters { _, parameter in
                guard part == .allValues || parameter.isTrainable else { return }
                let count = parameter.value.scalarCount
                let source = part == .allValues ? parameter.value : parameter.gradient
                if source.scalarCount == count {
                    source.withUnsafeBufferPointer { Self.copy(count, from: $0.baseAddress, to: base + position, scale: scale) }
                } else {
                    // A gradient not yet allocated counts as zeros.
                    (base + position).update(repeating: 0, count: count)
                }
                position += count
            }
            (base + position).update(repeating: 0, count: extraSlots)
        }
    }

    /// Writes ``values`` back into `part` of `model`, each scalar multiplied by `scale`; the
    /// extra slots after the parameters are left alone.
    /// - Parameters:
    ///   - part: gradients or values, as gathered.
    ///   - model: the model written.
    ///   - scale: the factor applied to every scalar written.
    public func scatter<Model: Layer>(_ part: Part, into model: inout Model, scaledBy scale: Scalar = 1) where Model.Scalar == Scalar {
        precondition(
            Self.scalarCount(part, of: &model) <= values.count, "FlatParameters.scatter: the buffer holds \(values.count) scalars, the model more")
        var position = 0
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            model.visitParameters { _, parameter in
                switch part {
                case .trainableGradients:
                    guard parameter.isTrainable else { return }
                    // A frozen gradient may be empty; a trainable one always has the value's shape.
                    if parameter.gradient.shape != parameter.value.shape { parameter.gradient = Tensor(zeros: parameter.value.shape) }
                    parameter.gradient.withUnsafeMutableBufferPointer {
                        Self.copy($0.count, from: base + position, to: $0.baseAddress, scale: scale)
                        position += $0.count
                    }
                case .allValues:
                    parameter.value.withUnsafeMutableBufferPointer {
                        Self.copy($0.count, from: base + position, to: $0.baseAddress, scale: scale)
                        position += $0.count
                    }
                }
            }
        }
    }

    /// The number of scalars `part` of `model` holds (visited in place: nothing is copied).
    private static func scalarCount<Model: Layer>(_ part: Part, of model: inout Model) -> Int where Model.Scalar == Scalar {
        var total = 0
        model.visitParameters { _, parameter in
            if part == .allValues || parameter.isTrainable { total += parameter.value.scalarCount }
        }
        return total
    }

    /// Copies `count` scalars, multiplied by `scale`, eight Floats (four Doubles) at a time.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func copy(_ count: Int, from source: UnsafePointer<Scalar>?, to target: UnsafeMutablePointer<Scalar>?, scale: Scalar) {
        guard count > 0, let source, let target else { return }
        if scale == 1 {
            target.update(from: source, count: count)
            return
        }
        let width = Scalar.Lanes.scalarCount
        let factor = Scalar.Lanes(repeating: scale)
        var index = 0
        while index + width <= count {
            let lanes = UnsafeRawPointer(source + index).loadUnaligned(as: Scalar.Lanes.self)
            UnsafeMutableRawPointer(target + index).storeBytes(of: lanes * factor, as: Scalar.Lanes.self)
            index += width
        }
        while index < count {
            target[index] = source[index] * scale
            index += 1
        }
    }
}
