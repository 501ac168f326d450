import Testing

@testable import NNCore

/// Each initialiser against its published definition, for a layer of fan-in 200 and fan-out
/// 100. The expected bounds and variances are written out from the papers' and the
/// libraries' formulas, not computed by the code under test.
@Suite struct WeightInitializerTests {
    static let draws = 20_000

    func values(_ initializer: WeightInitializer, seed: UInt64 = 9) -> [Double] {
        var generator = SeededRandomGenerator(seed: seed)
        return initializer.values(count: Self.draws, fanIn: 200, fanOut: 100, generator: &generator)
    }

    /// (initialiser, bound a of U(−a, a)).
    static let uniform: [(WeightInitializer, Double)] = [
        (.glorotUniform, 0.1414213562373095),   // Glorot & Bengio (2010): √6 / √(fanIn + fanOut) = √(6/300)
        (.heUniform, 0.17320508075688773),   // He et al. (2015), Keras HeUniform: √(6 / fanIn) = √(6/200)
        (.lecunUniform, 0.12247448713915890),   // Keras LecunUniform: √(3 / fanIn) = √(3/200)
        // PyTorch nn.Linear: kaiming_uniform_(a=√5): gain √(2/(1+a²)) = √(1/3), bound gain·√3/√fanIn = √(1/200)
        (.pytorchLinear, 0.07071067811865475),
    ]

    @Test(arguments: uniform)
    func uniformInitializersFillTheirPublishedInterval(initializer: WeightInitializer, bound: Double) {
        let drawn = values(initializer)
        #expect(drawn == values(initializer))   // the same seed, the same weights
        #expect(drawn.allSatisfy { abs($0) <= bound })
        // 20,000 uniform draws reach within 1% of both ends (a miss has probability 0.995²⁰⁰⁰⁰).
        #expect(drawn.max()! > 0.99 * bound && drawn.min()! < -0.99 * bound)
        let variance = drawn.map { $0 * $0 }.reduce(0, +) / Double(drawn.count)
        #expect(abs(variance / (bound * bound / 3) - 1) < 0.03, "variance \(variance), expected a²/3")
    }

    /// (initialiser, variance σ² of N(0, σ²)).
    static let normal: [(WeightInitializer, Double)] = [
        (.glorotNormal, 2.0 / 300),   // Glorot & Bengio (2010): 2 / (fanIn + fanOut)
        (.heNormal, 2.0 / 200),   // He et al. (2015): 2 / fanIn
        (.lecunNormal, 1.0 / 200),   // LeCun et al. (1998): 1 / fanIn
    ]

    @Test(arguments: normal)
    func normalInitializersHaveTheirPublishedVariance(initializer: WeightInitializer, variance: Double) {
        let drawn = values(initializer)
        let mean = drawn.reduce(0, +) / Double(drawn.count)
        let measured = drawn.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(drawn.count - 1)
        // The standard error of a variance from n draws is σ²·√(2/n), 1% here; 4% is four of them.
        #expect(abs(measured / variance - 1) < 0.04, "variance \(measured), expected \(variance)")
        #expect(abs(mean) < 4 * (variance / Double(drawn.count)).squareRoot())
        // Untruncated, as PyTorch draws it: some values lie beyond two standard deviations (4.6% of them).
        #expect(drawn.filter { abs($0) > 2 * variance.squareRoot() }.count > drawn.count / 30)
    }

    @Test func uniformAndConstantAreWhatTheySay() {
        let drawn = values(.uniform(lower: -0.1, upper: 0.3))
        #expect(drawn.allSatisfy { $0 >= -0.1 && $0 < 0.3 })
        #expect(values(.constant(0.25)).allSatisfy { $0 == 0.25 })
    }
}
