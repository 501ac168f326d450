import Foundation
import NNCore

/// `θ ← θ − η·g`: the plain gradient step.
public struct GradientStep: UpdateRule {
    public var name: String { "gradient-step" }
    public var stateBuffers: Int { 0 }

    /// Creates the rule.
    public init() {}

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state: UnsafeMutableBufferPointer<T>, context: StepContext
    ) {
        if T.self == Float.self, let v = values.baseAddress, let g = gradients.baseAddress {
            // The same arithmetic in one vectorised C pass: element by element, this loop was
            // 30% of an epoch of the 784-64-10 network.
            GradientStepKernel.step(
                UnsafeMutableRawPointer(v).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                count: values.count, context: context)
            return
        }
        for i in 0..<values.count {
            let value = Double(values[i])
            values[i] = T(value - context.learningRate * context.effectiveGradient(Double(gradients[i]), value: value))
        }
    }
}

/// `θ ← θ − η·sign(g)`: every parameter moves by the same distance, the learning rate,
/// against the sign of its gradient, and not at all where the gradient is exactly zero.
public struct FixedStep: UpdateRule {
    public var name: String { "fixed-step" }
    public var stateBuffers: Int { 0 }

    /// Creates the rule.
    public init() {}

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state: UnsafeMutableBufferPointer<T>, context: StepContext
    ) {
        for i in 0..<values.count {
            let value = Double(values[i])
            let g = context.effectiveGradient(Double(gradients[i]), value: value)
            let direction: Double = g > 0 ? 1 : (g < 0 ? -1 : 0)
            values[i] = T(value - context.learningRate * direction)
        }
    }
}

/// Heavy-ball momentum, as PyTorch's `SGD(momentum=μ)`: `v ← μ·v + g`, then `θ ← θ − η·v`;
/// with Nesterov, `θ ← θ − η·(g + μ·v)`.
public struct Momentum: UpdateRule {
    /// The momentum coefficient μ.
    public var momentum: Double
    /// Whether to use Nesterov's look-ahead form.
    public var nesterov: Bool

    public var name: String { nesterov ? "nesterov" : "momentum" }
    public var stateBuffers: Int { 1 }

    /// Creates the rule.
    public init(momentum: Double = 0.9, nesterov: Bool = false) {
        precondition(momentum >= 0 && momentum < 1, "Momentum: μ must be in [0, 1)")
        self.momentum = momentum
        self.nesterov = nesterov
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state velocity: UnsafeMutableBufferPointer<T>, context: StepContext
    ) {
        if T.self == Float.self, let v = values.baseAddress, let g = gradients.baseAddress, let state = velocity.baseAddress {
            // The same arithmetic in one vectorised C pass: element by element, this loop was
            // 26% of an epoch of the 784-256-128-10 network.
            GradientStepKernel.momentumStep(
                UnsafeMutableRawPointer(v).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                velocity: UnsafeMutableRawPointer(state).assumingMemoryBound(to: Float.self), count: values.count, momentum: momentum,
                nesterov: nesterov, context: context)
            return
        }
        for i in 0..<values.count {
            let value = Double(values[i])
            let g = context.effectiveGradient(Double(gradients[i]), value: value)
            let speed = momentum * Double(velocity[i]) + g
            velocity[i] = T(speed)
            let direction = nesterov ? g + momentum * speed : speed
            values[i] = T(value - context.learningRate * direction)
        }
    }
}

/// Adam (Kingma and Ba, 2015): `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η·m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
///
/// With `decoupledWeightDecay` λ it is AdamW (Loshchilov and Hutter, 2019): first
/// `θ ← θ − η·λ·θ`, then the Adam step, as PyTorch's `AdamW`.
public struct Adam: UpdateRule {
    /// The decay of the first moment, β₁.
    public var beta1: Double
    /// The decay of the second moment, β₂.
    public var beta2: Double
    /// The term that keeps the denominator from zero, ε.
    public var epsilon: Double
    /// AdamW's decoupled weight decay λ (0 for plain Adam).
    public var decoupledWeightDecay: Double

    public var name: String { decoupledWeightDecay > 0 ? "adamw" : "adam" }
    public var stateBuffers: Int { 2 }

    /// Creates the rule; the defaults are the paper's.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, decoupledWeightDecay: Double = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: β₁ and β₂ must be in [0, 1)")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state: UnsafeMutableBufferPointer<T>, context: StepContext
    ) {
        let count = values.count
        guard count > 0 else { return }
        let t = Double(context.step)
        let firstCorrection = 1 - pow(beta1, t), secondCorrection = 1 - pow(beta2, t)
        let decay = 1 - context.learningRate * decoupledWeightDecay
        let stepSize = context.learningRate / firstCorrection, secondCorrectionInverse = 1 / secondCorrection
        let coefficients = AdamCoefficients(
            beta1: beta1, beta2: beta2, epsilon: epsilon, decay: decay, stepSize: stepSize,
            secondCorrectionInverse: secondCorrectionInverse, gradientScale: context.gradientScale,
            clip: context.clipValue ?? .infinity, penalty: context.weightDecay)
        let firstMoments = state.baseAddress!, secondMoments = state.baseAddress! + count
        if T.self == Float.self {
            // One fused pass in C, vectorised for the CPU's widest instruction set: in Swift
            // the package's baseline (SSE2) does four elements at a time, and with a division
            // and a square root per element this update was 30% of a Fashion-MNIST epoch.
            coefficients.update(
                UnsafeMutableRawPointer(values.baseAddress!).assumingMemoryBound(to: Float.self),
                UnsafeRawPointer(gradients.baseAddress!).assumingMemoryBound(to: Float.self),
                UnsafeMutableRawPointer(firstMoments).assumingMemoryBound(to: Float.self),
                UnsafeMutableRawPointer(secondMoments).assumingMemoryBound(to: Float.self), count: count)
        } else {
            for i in 0..<count { coefficients.update(&values[i], gradients[i], &firstMoments[i], &secondMoments[i]) }
        }
    }
}

/// RMSProp (Hinton), as PyTorch's `RMSprop`: `v ← αv + (1−α)g²`, `θ ← θ − η·g / (√v + ε)`.
public struct RMSProp: UpdateRule {
    /// The decay of the squared-gradient average, α.
    public var alpha: Double
    /// The term that keeps the denominator from zero, ε.
    public var epsilon: Double

    public var name: String { "rmsprop" }
    public var stateBuffers: Int { 1 }

    /// Creates the rule; the defaults are PyTorch's.
    public init(alpha: Double = 0.99, epsilon: Double = 1e-8) {
        precondition((0..<1).contains(alpha), "RMSProp: α must be in [0, 1)")
        self.alpha = alpha
        self.epsilon = epsilon
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step<T: TensorScalar>(
        _ values: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>,
        state average: UnsafeMutableBufferPointer<T>, context: StepContext
    ) {
        for i in 0..<values.count {
            let value = Double(values[i])
            let g = context.effectiveGradient(Double(gradients[i]), value: value)
            let meanSquare = alpha * Double(average[i]) + (1 - alpha) * g * g
            average[i] = T(meanSquare)
            values[i] = T(value - context.learningRate * g / (meanSquare.squareRoot() + epsilon))
        }
    }
}
