import NNCore
import Testing

@Suite struct SeededRandomGeneratorTests {
    // Reference values from an independent Python implementation of SplitMix64 seeding and
    // xoshiro256** (written from the published algorithms, not from this code).
    @Test func matchesTheDocumentedSequence() {
        var generator = SeededRandomGenerator(seed: 42)
        #expect(
            (0..<4).map { _ in generator.next() }
                == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
        #expect(generator.nextUniform() == 0.9918039142821028)
        var zero = SeededRandomGenerator(seed: 0)
        #expect((0..<3).map { _ in zero.next() } == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func sameSeedSameNumbersAndStateRestores() {
        var a = SeededRandomGenerator(seed: 7), b = SeededRandomGenerator(seed: 7), c = SeededRandomGenerator(seed: 8)
        let first = (0..<100).map { _ in a.nextUniform() }
        #expect(first == (0..<100).map { _ in b.nextUniform() })
        #expect(first != (0..<100).map { _ in c.nextUniform() })
        var restored = SeededRandomGenerator(state: a.state)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in restored.next() })
    }

    @Test func valuesStayInRange() {
        var generator = SeededRandomGenerator(seed: 3)
        for _ in 0..<10_000 {
            let u = generator.nextUniform(), f = generator.nextUniformFloat(), i = generator.nextIndex(below: 7)
            #expect(u >= 0 && u < 1 && f >= 0 && f < 1 && (0..<7).contains(i))
        }
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<50_000 { counts[generator.nextIndex(below: 5)] += 1 }
        // Each count is binomial(50000, 0.2): mean 10000, standard deviation about 89.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }

    @Test func normalsHaveUnitVariance() {
        var generator = SeededRandomGenerator(seed: 11)
        let values = (0..<100_000).map { _ in generator.nextNormal() }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.02)
    }

    @Test func shuffleIsADeterministicPermutation() {
        var a = SeededRandomGenerator(seed: 5), b = SeededRandomGenerator(seed: 5)
        var x = Array(0..<50), y = Array(0..<50)
        a.shuffle(&x)
        b.shuffle(&y)
        #expect(x == y && x != Array(0..<50) && x.sorted() == Array(0..<50))
    }
}
