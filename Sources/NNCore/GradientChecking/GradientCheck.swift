/// Compares backpropagated gradients with central finite differences, in `Double`.
///
/// Finite differences need double precision (PyTorch's `gradcheck` says the same): with a
/// step `h`, the central difference `(L(θ+h) − L(θ−h)) / 2h` has a truncation error of order
/// h² and a rounding error of order ε·|L|/h, both near 1e-10 for `h = 1e-6` in `Double`.
///
/// ```swift
/// let report = GradientCheck.check(model, input: x)
/// assert(report.worstRelativeError < 1e-6)
/// ```
public enum GradientCheck {
    /// The default finite-difference step.
    public static let defaultStep = 1e-6
    /// The default magnitude below which errors are measured relative to the floor, not to
    /// the (tiny) gradient itself, so rounding noise on a near-zero component is not
    /// mistaken for a wrong gradient. A real mistake in any component of this size or
    /// larger shows as a relative error near 1.
    public static let defaultFloor = 1e-3

    /// Checks the parameter gradients (trainable parameters only) and the input gradient of
    /// `layer` at `input`, for the scalar loss computed by `loss` from the layer's output, in
    /// the layer's current ``LayerMode``.
    ///
    /// - Parameters:
    ///   - layer: the layer (or model) whose gradients are checked; it is not changed.
    ///   - input: the batch the layer is run on.
    ///   - step: the finite-difference step `h`.
    ///   - floor: the magnitude below which an error is measured against the floor (``defaultFloor``).
    ///   - includingInput: whether dLoss/dInput is checked too (not for token ids, which
    ///     are not differentiable).
    ///   - loss: returns the loss for an output and dLoss/dOutput.
    /// - Returns: the worst disagreement between backpropagation and finite differences.
    public static func check<L: Layer>(
        _ layer: L, input: Tensor<Double>,
        step: Double = defaultStep, floor: Double = defaultFloor, includingInput: Bool = true,
        loss: (Tensor<Double>) -> (value: Double, gradient: Tensor<Double>)
    ) -> GradientCheckReport where L.Scalar == Double {
        var model = layer
        model.zeroGradients()
        // Every probe replays this forward from the same state, in the layer's mode: the same
        // dropout mask, the batch's own statistics in batch normalisation.
        let start = model
        let output = model.forward(input)
        let inputGradient = model.backward(loss(output).gradient)
        let analytic = model.namedParameters

        var report = GradientCheckReport()
        func lossAt(_ probe: L, _ input: Tensor<Double>) -> Double {
            var probe = probe
            return loss(probe.forward(input)).value
        }

        for (name, parameter) in analytic where parameter.isTrainable {
            for index in 0..<parameter.value.scalarCount {
                var plus = start, minus = start
                plus.nudge(parameter: name, at: index, by: step)
                minus.nudge(parameter: name, at: index, by: -step)
                let numeric = (lossAt(plus, input) - lossAt(minus, input)) / (2 * step)
                report.record(
                    analytic: parameter.gradient[flat: index], numeric: numeric,
                    floor: floor, location: "\(name)[\(index)]")
            }
        }
        for index in 0..<(includingInput ? input.scalarCount : 0) {
            var plus = input, minus = input
            plus[flat: index] += step
            minus[flat: index] -= step
            let numeric = (lossAt(start, plus) - lossAt(start, minus)) / (2 * step)
            report.record(
                analytic: inputGradient[flat: index], numeric: numeric,
                floor: floor, location: "input[\(index)]")
        }
        return report
    }

    /// Checks `layer` at `input` with a fixed random linear loss `L = Σᵢ rᵢ·yᵢ`, whose
    /// weights `rᵢ ~ U(−1, 1)` are drawn from `seed`: a check that needs no loss function.
    /// `includingInput` is false for token ids, which are not differentiable.
    public static func check<L: Layer>(
        _ layer: L, input: Tensor<Double>, seed: UInt64 = 0,
        step: Double = defaultStep, floor: Double = defaultFloor, includingInput: Bool = true
    ) -> GradientCheckReport where L.Scalar == Double {
        var generator = SeededRandomGenerator(seed: seed)
        let output = layer(input)
        let weights = (0..<output.scalarCount).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let weightTensor = Tensor(uncheckedShape: output.shape, scalars: weights)
        return check(layer, input: input, step: step, floor: floor, includingInput: includingInput) { output in
            (zip(output.scalars, weights).reduce(0) { $0 + $1.0 * $1.1 }, weightTensor)
        }
    }
}

extension Layer {
    /// Adds `delta` to one element of the named parameter (used by finite differences).
    mutating func nudge(parameter target: String, at index: Int, by delta: Scalar) {
        visitParameters { name, parameter in
            if name == target { parameter.value[flat: index] += delta }
        }
    }
}
