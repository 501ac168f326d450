import Testing
@testable import NNCore

@Suite struct KernelTests {
    /// op(A)·op(B) by the definition, as the reference.
    func reference(_ a: [Double], _ ta: Bool, _ b: [Double], _ tb: Bool, m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k {
                    c[i * n + j] += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j])
                }
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matrixMultiplyMatchesTheDefinition(transposeA: Bool, transposeB: Bool) {
        var generator = SeededRandomGenerator(seed: 1)
        let (m, n, k) = (5, 7, 3)
        let a = (0..<(m * k)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let b = (0..<(k * n)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let start = (0..<(m * n)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let expected = reference(a, transposeA, b, transposeB, m: m, n: n, k: k)
        for accumulate in [false, true] {
            var c = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        Double.matrixMultiply(a, transposed: transposeA, b, transposed: transposeB, into: c,
                                              m: m, n: n, k: k, accumulate: accumulate)
                    }
                }
            }
            let want = accumulate ? zip(expected, start).map { $0 + $1 } : expected
            #expect(zip(c, want).allSatisfy { abs($0 - $1) < 1e-14 })
        }
    }

    @Test func rowKernels() throws {
        var values: [Double] = [1, 2, 3, 4, 5, 6]
        var sums: [Double] = [10, 20, 30]
        values.withUnsafeMutableBufferPointer { v in
            [0.5, 1, -1].withUnsafeBufferPointer { Double.addRowVector($0, to: v, columns: 3) }
        }
        #expect(values == [1.5, 3, 2, 4.5, 6, 5])
        values.withUnsafeBufferPointer { v in
            sums.withUnsafeMutableBufferPointer { Double.accumulateColumnSums(of: v, into: $0, columns: 3) }
        }
        #expect(sums == [16, 29, 37])
    }

    @Test func softmaxIsStableForHugeLogits() {
        var rows: [Float] = [1000, 1000, 0, -1000, 0, 1000]
        rows.withUnsafeMutableBufferPointer { Float.softmaxRows($0, columns: 3) }
        #expect(rows.allSatisfy { $0.isFinite })
        #expect(abs(rows[0] - 0.5) < 1e-6 && abs(rows[1] - 0.5) < 1e-6 && rows[2] == 0)
        #expect(abs(rows[5] - 1) < 1e-6)
    }
}
