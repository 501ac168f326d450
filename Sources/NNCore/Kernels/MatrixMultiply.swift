extension Kernels {
    /// `C = op(A)·op(B)`, or `C += op(A)·op(B)` when `accumulate` is true.
    ///
    /// Row-major storage: `op(A)` is `m×k` (stored `k×m` when transposed), `op(B)` is `k×n`
    /// (stored `n×k` when transposed), `C` is `m×n`.
    static func matrixMultiply<T: TensorScalar>(
        _ a: UnsafeBufferPointer<T>, _ transposeA: Bool,
        _ b: UnsafeBufferPointer<T>, _ transposeB: Bool,
        _ c: UnsafeMutableBufferPointer<T>,
        m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n,
                     "matrixMultiply: buffers smaller than \(m)×\(k) · \(k)×\(n)")
        guard m > 0, n > 0 else { return }
        let a = a.baseAddress!, b = b.baseAddress!, c = c.baseAddress!
        if !accumulate { c.update(repeating: 0, count: m * n) }
        guard k > 0 else { return }

        switch (transposeA, transposeB) {
        case (false, false):
            // C[i, :] += A[i, p] · B[p, :]
            for i in 0..<m {
                let cRow = c + i * n
                for p in 0..<k {
                    let scale = a[i * k + p]
                    let bRow = b + p * n
                    for j in 0..<n { cRow[j] += scale * bRow[j] }
                }
            }
        case (true, false):
            // A is stored k×m: C[i, :] += A[p, i] · B[p, :]
            for p in 0..<k {
                let bRow = b + p * n
                for i in 0..<m {
                    let scale = a[p * m + i]
                    let cRow = c + i * n
                    for j in 0..<n { cRow[j] += scale * bRow[j] }
                }
            }
        case (false, true):
            // B is stored n×k: C[i, j] += dot(A[i, :], B[j, :])
            for i in 0..<m {
                let aRow = a + i * k
                for j in 0..<n {
                    let bRow = b + j * k
                    var sum: T = 0
                    for p in 0..<k { sum += aRow[p] * bRow[p] }
                    c[i * n + j] += sum
                }
            }
        case (true, true):
            // A stored k×m, B stored n×k: C[i, j] += Σ_p A[p, i] · B[j, p]
            for i in 0..<m {
                for j in 0..<n {
                    let bRow = b + j * k
                    var sum: T = 0
                    for p in 0..<k { sum += a[p * m + i] * bRow[p] }
                    c[i * n + j] += sum
                }
            }
        }
    }
}
