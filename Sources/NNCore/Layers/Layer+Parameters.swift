/// Conveniences built on the one parameter traversal, ``Layer/visitParameters(_:)``.
extension Layer {
    /// Every parameter with its name, in traversal order (a copy).
    public var namedParameters: [(name: String, parameter: Parameter<Scalar>)] {
        var copy = self
        var result: [(name: String, parameter: Parameter<Scalar>)] = []
        copy.visitParameters { name, parameter in result.append((name, parameter)) }
        return result
    }

    /// The number of scalars in all parameters, trainable or not.
    public var parameterCount: Int {
        namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount }
    }

    /// Sets every parameter's gradient to zero.
    public mutating func zeroGradients() {
        visitParameters { _, parameter in parameter.zeroGradient() }
    }

    /// Freezes the parameters whose names satisfy `predicate` (all of them by default):
    /// backward no longer accumulates their gradients and optimisers leave them unchanged.
    ///
    /// ```swift
    /// model.freeze { $0.hasSuffix("bias") }   // train the weights only
    /// ```
    public mutating func freeze(where predicate: (String) -> Bool = { _ in true }) {
        visitParameters { name, parameter in
            if predicate(name) { parameter.isTrainable = false }
        }
    }

    /// Makes the parameters whose names satisfy `predicate` (all by default) trainable again.
    public mutating func unfreeze(where predicate: (String) -> Bool = { _ in true }) {
        visitParameters { name, parameter in
            if predicate(name) { parameter.isTrainable = true }
        }
    }
}
