// The logistic sigmoid for Float buffers, eight lanes at a time, for the gates of the
// recurrent layers (where it runs on three of every four gate values of an LSTM).
//
// σ(x) = E/(E + 1) for x ≥ 0 and 1/(E + 1) for x < 0, with E = exp(|x|) from the same
// branch-free exp as the vectorised tanh: no cancellation on either side, so the result is
// within 3 ulp of the exact value (VectorTanhTests measures it). |x| is clamped at 20,
// where σ is 1 in Float and below 2.1e-9 on the other side.

extension Kernels {
    /// Writes `σ(input[i])` into `output[i]` (which may be `input`); NaN stays NaN.
    static func sigmoid(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int) {
        var start = 0
        while start + 8 <= count {
            let lanes = UnsafeRawPointer(input + start).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(output + start).storeBytes(of: sigmoid8(lanes), as: SIMD8<Float>.self)
            start += 8
        }
        if start < count {
            var lanes = SIMD8<Float>(repeating: 0)
            for i in start..<count { lanes[i - start] = input[i] }
            let result = sigmoid8(lanes)
            for i in start..<count { output[i] = result[i - start] }
        }
    }

    /// σ of eight values.
    @inline(__always)
    static func sigmoid8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let absolute = unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & ~signBit, to: SIMD8<Float>.self)
        // (`pointwiseMin` is generic and, unspecialised here, cost more than the rest.)
        let magnitude = absolute.replacing(with: 20, where: absolute .> 20)
        let e = exp8(magnitude)
        let inverse = 1 / (e + 1)
        let result: SIMD8<Float> = (e * inverse).replacing(with: inverse, where: x .< 0)
        return result.replacing(with: x, where: x .!= x)
    }
}
