import NNCore

/// The per-step constants of an Adam update and the element update itself, written once
/// for scalars and once for four Float elements at a time (same operations, same order, so
/// both give the same bits).
struct AdamCoefficients {
    var beta1: Double, beta2: Double, epsilon: Double
    /// `1 − lr·λ` (AdamW's decoupled decay; 1 for Adam).
    var decay: Double
    /// `lr / (1 − β₁ᵗ)`.
    var stepSize: Double
    /// `1 / (1 − β₂ᵗ)`.
    var secondCorrectionInverse: Double
    var gradientScale: Double
    /// The clipping bound (∞ when not clipping: clamping to ±∞ leaves finite values alone).
    var clip: Double
    /// The coupled L2 coefficient.
    var penalty: Double

    /// Updates one element. The denominator is computed in the parameter's precision.
    @inline(__always)
    func update<T: TensorScalar>(_ value: inout T, _ gradient: T, _ m: inout Double, _ v: inout Double) {
        let x = Double(value)
        let g = Swift.min(Swift.max(Double(gradient) * gradientScale, -clip), clip) + penalty * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        let denominator = T(v * secondCorrectionInverse).squareRoot() + T(epsilon)
        value = T(x * decay) - T(stepSize * m) / denominator
    }

    /// Updates `count` Float elements, four at a time, the rest one by one.
    func update(
        _ values: UnsafeMutablePointer<Float>, _ gradients: UnsafePointer<Float>,
        _ firstMoments: UnsafeMutablePointer<Double>, _ secondMoments: UnsafeMutablePointer<Double>, count: Int
    ) {
        var i = 0
        while i + 4 <= count {
            let x32 = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD4<Float>.self)
            let g32 = UnsafeRawPointer(gradients + i).loadUnaligned(as: SIMD4<Float>.self)
            let x = SIMD4<Double>(x32)
            var scaled = SIMD4<Double>(g32) * gradientScale
            if clip.isFinite { scaled = scaled.clamped(lowerBound: SIMD4(repeating: -clip), upperBound: SIMD4(repeating: clip)) }
            let g = scaled + penalty * x
            let m = beta1 * UnsafeRawPointer(firstMoments + i).loadUnaligned(as: SIMD4<Double>.self) + (1 - beta1) * g
            let v = beta2 * UnsafeRawPointer(secondMoments + i).loadUnaligned(as: SIMD4<Double>.self) + (1 - beta2) * g * g
            UnsafeMutableRawPointer(firstMoments + i).storeBytes(of: m, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(secondMoments + i).storeBytes(of: v, as: SIMD4<Double>.self)
            let denominator = SIMD4<Float>(v * secondCorrectionInverse).squareRoot() + Float(epsilon)
            let updated = SIMD4<Float>(x * decay) - SIMD4<Float>(stepSize * m) / denominator
            UnsafeMutableRawPointer(values + i).storeBytes(of: updated, as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            update(&values[i], gradients[i], &firstMoments[i], &secondMoments[i])
            i += 1
        }
    }
}
