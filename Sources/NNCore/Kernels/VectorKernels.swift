extension Kernels {
    /// `y += alpha · x`.
    static func addScaled<T: TensorScalar>(_ x: UnsafeBufferPointer<T>, by alpha: T, to y: UnsafeMutableBufferPointer<T>) {
        precondition(x.count == y.count, "addScaled: \(x.count) and \(y.count) elements")
        for i in 0..<y.count { y[i] += alpha * x[i] }
    }
}
