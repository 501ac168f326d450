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

    @Test(
        arguments: [(false, false), (true, false), (false, true), (true, true)],
        [(5, 7, 3), (1, 1, 1), (7, 13, 5), (33, 64, 784), (1, 40, 1), (3, 9, 17)])
    func matrixMultiplyMatchesTheDefinition(transposes: (Bool, Bool), shape: (Int, Int, Int)) {
        let (transposeA, transposeB) = transposes
        var generator = SeededRandomGenerator(seed: 1)
        let (m, n, k) = shape
        let a = (0..<(m * k)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let b = (0..<(k * n)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let start = (0..<(m * n)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let expected = reference(a, transposeA, b, transposeB, m: m, n: n, k: k)
        for accumulate in [false, true] {
            var c = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        Double.matrixMultiply(
                            a, transposed: transposeA, b, transposed: transposeB, into: c,
                            m: m, n: n, k: k, accumulate: accumulate)
                    }
                }
            }
            let want = accumulate ? zip(expected, start).map { $0 + $1 } : expected
            #expect(zip(c, want).allSatisfy { abs($0 - $1) < 1e-12 }, "\(m)×\(n)×\(k) transposes \(transposes)")
        }
    }

    /// Float results against a Double reference, for the same shapes.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func floatProductsAgreeWithADoubleReference(transposes: (Bool, Bool)) {
        var generator = SeededRandomGenerator(seed: 2)
        let (m, n, k) = (33, 64, 784)
        let a = (0..<(m * k)).map { _ in generator.nextUniform(in: -1.0, 1.0) }, b = (0..<(k * n)).map { _ in generator.nextUniform(in: -1.0, 1.0) }
        let (af, bf) = (a.map(Float.init), b.map(Float.init))
        var c = [Float](repeating: 0, count: m * n)
        af.withUnsafeBufferPointer { a in
            bf.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    Float.matrixMultiply(a, transposed: transposes.0, b, transposed: transposes.1, into: c, m: m, n: n, k: k, accumulate: false)
                }
            }
        }
        let expected = reference(a, transposes.0, b, transposes.1, m: m, n: n, k: k)
        // Float rounding over 784 terms of size ≤ 1: well under 1e-3 absolute.
        #expect(zip(c, expected).allSatisfy { abs(Double($0) - $1) < 1e-3 })
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
