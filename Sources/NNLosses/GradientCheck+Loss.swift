import NNCore

extension GradientCheck {
    /// Checks a loss's gradient with respect to the prediction against central finite
    /// differences of its value.
    /// - Throws: ``LossError`` if the loss rejects the prediction and target.
    public static func check(
        loss: some Loss, prediction: Tensor<Double>, target: Tensor<Double>,
        step: Double = defaultStep, floor: Double = defaultFloor
    ) throws(LossError) -> GradientCheckReport {
        let analytic = try loss.valueAndGradient(prediction: prediction, target: target).gradient
        var report = GradientCheckReport()
        for index in 0..<prediction.scalarCount {
            var plus = prediction, minus = prediction
            plus[flat: index] += step
            minus[flat: index] -= step
            let numeric =
                (try loss.value(prediction: plus, target: target)
                    - loss.value(prediction: minus, target: target)) / (2 * step)
            report.record(analytic: analytic[flat: index], numeric: numeric, floor: floor, location: "prediction[\(index)]")
        }
        return report
    }

    /// Checks `layer`'s parameter and input gradients for `loss` against `target`.
    /// - Throws: ``LossError`` if the loss rejects the layer's output and the target.
    public static func check<L: Layer>(
        _ layer: L, input: Tensor<Double>, target: Tensor<Double>, loss: some Loss,
        step: Double = defaultStep, floor: Double = defaultFloor
    ) throws(LossError) -> GradientCheckReport where L.Scalar == Double {
        _ = try loss.valueAndGradient(prediction: layer(input), target: target)
        return check(layer, input: input, step: step, floor: floor) { output in
            // Validated above: the output's shape does not depend on the parameters.
            do { return try loss.valueAndGradient(prediction: output, target: target) } catch {
                preconditionFailure("GradientCheck: loss rejected an output it accepted before: \(error)")
            }
        }
    }
}
