#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fast random number generator whose sequence depends only on its seed, identically on
/// every platform and Swift version: xoshiro256** (Blackman and Vigna, 2018), its 256-bit
/// state filled from the 64-bit seed by SplitMix64.
///
/// The conversions to floating point are ours and fixed, unlike the standard library's
/// `random(in:using:)`, whose algorithm may change between releases:
/// - ``nextUniform()`` is `Double(next() >> 11) · 2⁻⁵³`, in `[0, 1)`;
/// - ``nextUniformFloat()`` is `Float(next() >> 40) · 2⁻²⁴`, in `[0, 1)`;
/// - ``nextNormal()`` uses the Box–Muller transform on two uniforms. It calls the C
///   library's `log`, `cos` and `sin`, whose last bit can differ between C libraries,
///   so only the uniform values are bit-identical across platforms.
///
/// Every random choice in swift-nn (initial weights, shuffling, sampling) draws from a
/// generator of this type seeded by the user. Its state can be saved and restored.
public struct SeededRandomGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The four 64-bit words of xoshiro256** state.
    public private(set) var state: [UInt64]

    /// Creates a generator from a seed; equal seeds give equal sequences.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix()]
    }

    /// Restores a generator from a saved ``state``.
    /// - Precondition: four words, not all zero.
    public init(state: [UInt64]) {
        precondition(
            state.count == 4 && state.contains { $0 != 0 },
            "SeededRandomGenerator: state must be four words, not all zero")
        self.state = state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, by: 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], by: 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func nextUniformFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform value in `[lower, upper)`, computed in `Double` and then rounded to `T`.
    public mutating func nextUniform<T: TensorScalar>(in lower: T, _ upper: T) -> T {
        T(Double(lower) + (Double(upper) - Double(lower)) * nextUniform())
    }

    /// A standard normal value (mean 0, standard deviation 1) by the Box–Muller transform.
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUniform()   // in (0, 1], so the logarithm is finite
        let u2 = nextUniform()
        return (-2 * Double.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<upperBound`, without modulo bias (Lemire's method).
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextIndex(below:): upper bound must be positive")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place (Fisher–Yates, drawing with ``nextIndex(below:)``).
    ///
    /// Inlinable so that it is specialised where it is called: unspecialised, every swap of a
    /// generic array element allocates.
    @inlinable
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
    }
}
