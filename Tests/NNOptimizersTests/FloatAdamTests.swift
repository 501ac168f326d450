import Foundation
import NNCore
import NNOptimizers
import Testing

/// The Float fast path of Adam (four elements at a time in SIMD types, the rest one by one)
/// against Adam's formula computed in Double (Kingma and Ba, 2015; AdamW: Loshchilov and
/// Hutter, 2019), step after step, with clipping and both kinds of weight decay.
@Suite struct FloatAdamTests {
    /// Adam's options for one run.
    struct Settings: Sendable, CustomStringConvertible {
        var l2: Double
        var decoupled: Double
        var clip: Double?
        var description: String { "L2 \(l2), decoupled \(decoupled), clip \(clip.map { "\($0)" } ?? "none")" }
    }

    static let settings = [
        Settings(l2: 0, decoupled: 0, clip: nil), Settings(l2: 0.01, decoupled: 0, clip: nil),
        Settings(l2: 0, decoupled: 0.1, clip: nil), Settings(l2: 0, decoupled: 0, clip: 0.05),
    ]

    @Test(arguments: settings)
    func floatStepsFollowTheFormulaInDouble(settings: Settings) throws {
        let (lr, beta1, beta2, epsilon) = (0.01, 0.9, 0.999, 1e-8)
        let count = 37   // nine SIMD groups of four and a scalar tail of one
        var generator = SeededRandomGenerator(seed: 5)
        var layer = try Dense(
            weight: Tensor<Float>(shape: [count, 1], scalars: (0..<count).map { _ in generator.nextUniformFloat() * 2 - 1 }),
            bias: Tensor<Float>([0]), activation: Identity())
        layer.freeze { $0 == "bias" }
        var optimizer: GradientOptimizer =
            settings.decoupled > 0
            ? .adamW(learningRate: lr, weightDecay: settings.decoupled, beta1: beta1, beta2: beta2, epsilon: epsilon)
            : .adam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: settings.l2)
        if let clip = settings.clip { optimizer = optimizer.clipped(.byValue(clip)) }
        var m = [Double](repeating: 0, count: count), v = m
        for step in 1...20 {
            let gradients = (0..<count).map { _ in generator.nextUniformFloat() * 0.4 - 0.2 }
            let before = layer.weight.value.scalars.map(Double.init)
            layer.weight.gradient = try Tensor(shape: [count, 1], scalars: gradients)
            optimizer.update(&layer)
            let t = Double(step)
            for i in 0..<count {
                // The formula, in Double, from the same Float weight and gradient.
                var g = Double(gradients[i])
                if let clip = settings.clip { g = min(max(g, -clip), clip) }
                g += settings.l2 * before[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
                let expected = before[i] * (1 - lr * settings.decoupled) - lr * mHat / (vHat.squareRoot() + epsilon)
                let actual = Double(layer.weight.value[flat: i])
                // Float arithmetic on the last operations: a few units in the last place of
                // the weight or of the step, whichever is larger.
                let tolerance = 4 * Double(Float.ulpOfOne) * max(abs(expected), lr)
                #expect(abs(actual - expected) <= tolerance, "step \(step), element \(i), \(settings): \(actual) vs \(expected)")
            }
        }
    }
}
