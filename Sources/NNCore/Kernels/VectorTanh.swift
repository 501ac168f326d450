// tanh for Float buffers, eight lanes at a time.
//
// libm's `tanhf` is a call per element with branches on the argument's size; in the sin
// lesson's per-sample steps it took a sixth of the time (perf, 2026-11-23). This version is
// branch-free: an odd Taylor polynomial where |x| < ½ (where (e−1)/(e+1) would lose bits to
// cancellation), and (e−1)/(e+1) with e = exp(2|x|) elsewhere, the sign copied back at the
// end. Its error against a Double reference is within 2 ulp (VectorTanhTests measures it).

extension Kernels {
    /// Writes `tanh(input[i])` into `output[i]` (within 2 ulp of the exact value; NaN stays NaN).
    static func tanh(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == output.count, "Kernels.tanh: \(input.count) inputs, \(output.count) outputs")
        let count = input.count
        guard count > 0 else { return }
        let x = input.baseAddress!, y = output.baseAddress!
        var start = 0
        while start + 8 <= count {
            let lanes = UnsafeRawPointer(x + start).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + start).storeBytes(of: tanh8(lanes), as: SIMD8<Float>.self)
            start += 8
        }
        if start < count {
            // The last few elements go through the same lanes, so every element gets the same
            // rounding whatever its position.
            var lanes = SIMD8<Float>(repeating: 0)
            for i in start..<count { lanes[i - start] = x[i] }
            let result = tanh8(lanes)
            for i in start..<count { y[i] = result[i - start] }
        }
    }

    /// tanh of eight values.
    @inline(__always)
    static func tanh8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let xBits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        // tanh(|x|) rounds to 1 in Float beyond 9.01; clamping keeps exp finite.
        let absolute = unsafeBitCast(xBits & ~signBit, to: SIMD8<Float>.self)
        let magnitude = absolute.replacing(with: 10, where: absolute .> 10)

        // Small |x|: x + x³·(−1/3 + x²·(2/15 + …)), Taylor through x¹⁷ (next term < 1e-8 relative at ½).
        let square = magnitude * magnitude
        var series = SIMD8<Float>(repeating: 0.000_590_027_44)   // 6404582/10854718875, the x¹⁷ coefficient
        series = series * square + SIMD8(repeating: -0.001_455_834_4)
        series = series * square + SIMD8(repeating: 0.003_592_128_0)
        series = series * square + SIMD8(repeating: -0.008_863_235_5)
        series = series * square + SIMD8(repeating: 0.021_869_488)
        series = series * square + SIMD8(repeating: -0.053_968_254)
        series = series * square + SIMD8(repeating: 0.133_333_33)
        series = series * square + SIMD8(repeating: -0.333_333_34)
        let small = magnitude + magnitude * square * series

        // Larger |x|, with e = exp(2|x|) ∈ [e¹, e²⁰]: (e − 1)/(e + 1) up to 2, where e ± 1 are
        // exact enough; beyond, 1 − 2/(e + 1), whose small second term carries little error.
        let e = exp8(magnitude + magnitude)
        let medium = (e - 1) / (e + 1)
        let large = 1 - 2 / (e + 1)

        let unsigned = small.replacing(with: medium, where: magnitude .>= 0.5).replacing(with: large, where: magnitude .>= 2)
        // Copy the sign of x back (also keeps −0 as −0).
        let signed = unsafeBitCast(unsafeBitCast(unsigned, to: SIMD8<UInt32>.self) | (xBits & signBit), to: SIMD8<Float>.self)
        return signed.replacing(with: x, where: x .!= x)
    }

    /// exp of eight values in [0, 20]: 2ⁿ · exp(r) with r = v − n·ln 2, |r| ≤ ½ ln 2.
    @inline(__always)
    static func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Adding 1.5·2²³ rounds to an integer (to nearest, ties to even) and leaves it in the
        // low bits of the sum; the generic SIMD rounding and Int32 conversion ran per lane.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = v * 1.442_695_04 + magic
        let n = shifted - magic
        // ln 2 in two parts, so that n·ln2High is exact and r keeps its low bits.
        let r = (v - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.0 / 40320)
        p = p * r + SIMD8(repeating: 1.0 / 5040)
        p = p * r + SIMD8(repeating: 1.0 / 720)
        p = p * r + SIMD8(repeating: 1.0 / 120)
        p = p * r + SIMD8(repeating: 1.0 / 24)
        p = p * r + SIMD8(repeating: 1.0 / 6)
        p = p * r + SIMD8(repeating: 0.5)
        p = p * r + SIMD8(repeating: 1)
        p = p * r + SIMD8(repeating: 1)
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }
}
