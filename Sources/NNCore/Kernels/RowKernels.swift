extension Kernels {
    /// Adds `bias` to every row of the row-major matrix `values`.
    static func addRowVector<T: TensorScalar>(
        _ bias: UnsafeBufferPointer<T>, to values: UnsafeMutableBufferPointer<T>, columns: Int
    ) {
        precondition(
            bias.count == columns && columns > 0 && values.count % columns == 0,
            "addRowVector: \(bias.count) biases for rows of \(columns)")
        for start in stride(from: 0, to: values.count, by: columns) {
            for j in 0..<columns { values[start + j] += bias[j] }
        }
    }

    /// Adds the sum of each column of `values` into `sums`.
    static func accumulateColumnSums<T: TensorScalar>(
        of values: UnsafeBufferPointer<T>, into sums: UnsafeMutableBufferPointer<T>, columns: Int
    ) {
        precondition(
            sums.count == columns && columns > 0 && values.count % columns == 0,
            "accumulateColumnSums: \(sums.count) sums for rows of \(columns)")
        // Eight columns at a time for Float: `sums` may alias nothing in `values`, but the
        // compiler cannot know it and would add one element at a time.
        var vectorColumns = 0
        if T.self == Float.self, let base = values.baseAddress, let total = sums.baseAddress {
            let x = UnsafeRawPointer(base), s = UnsafeMutableRawPointer(total)
            vectorColumns = columns / 8 * 8
            for j in stride(from: 0, to: vectorColumns, by: 8) {
                var sum = s.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                for start in stride(from: 0, to: values.count, by: columns) {
                    sum += x.loadUnaligned(fromByteOffset: (start + j) * 4, as: SIMD8<Float>.self)
                }
                s.storeBytes(of: sum, toByteOffset: j * 4, as: SIMD8<Float>.self)
            }
        }
        for start in stride(from: 0, to: values.count, by: columns) {
            for j in vectorColumns..<columns { sums[j] += values[start + j] }
        }
    }

    /// Replaces each row with its softmax. Subtracting the row maximum first keeps `exp`
    /// from overflowing; the result is unchanged mathematically.
    static func softmaxRows<T: TensorScalar>(_ values: UnsafeMutableBufferPointer<T>, columns: Int) {
        precondition(
            columns > 0 && values.count % columns == 0,
            "softmaxRows: \(values.count) values do not form rows of \(columns)")
        for start in stride(from: 0, to: values.count, by: columns) {
            var maximum = values[start]
            for j in 1..<columns { maximum = Swift.max(maximum, values[start + j]) }
            var total: T = 0
            for j in 0..<columns {
                let e = T.exp(values[start + j] - maximum)
                values[start + j] = e
                total += e
            }
            let scale = 1 / total
            for j in 0..<columns { values[start + j] *= scale }
        }
    }
}

extension Kernels {
    /// For each row: `gᵢ ← yᵢ (gᵢ − Σⱼ gⱼ yⱼ)`, the softmax's Jacobian-vector product.
    static func softmaxBackwardRows<T: TensorScalar>(
        output: UnsafeBufferPointer<T>, gradient: UnsafeMutableBufferPointer<T>, columns: Int
    ) {
        precondition(
            columns > 0 && output.count == gradient.count && output.count % columns == 0,
            "softmaxBackwardRows: \(output.count) outputs, \(gradient.count) gradients, rows of \(columns)")
        for start in stride(from: 0, to: output.count, by: columns) {
            var dot: T = 0
            for j in 0..<columns { dot += gradient[start + j] * output[start + j] }
            for j in 0..<columns { gradient[start + j] = output[start + j] * (gradient[start + j] - dot) }
        }
    }
}
