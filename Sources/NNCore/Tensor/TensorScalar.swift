#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

/// A floating-point type that tensors can hold: `Float` (the default) or `Double` (for
/// verification: gradient checks and golden tests).
///
/// Besides the elementary functions, the protocol is the dispatch table of the hot math.
/// Layers are generic over their scalar and are usually reached through `any Layer`, where
/// generic code runs unspecialised; every per-element loop therefore goes through one of
/// these static requirements, whose `Float` and `Double` implementations are compiled
/// and optimised for the concrete type. The cost of generic dispatch is then paid once per
/// call, never once per element.
public protocol TensorScalar: BinaryFloatingPoint, Codable, Sendable, LosslessStringConvertible, SIMDScalar
where RawSignificand: FixedWidthInteger {
    /// The name used in files and messages: `"float32"` or `"float64"`.
    static var dtypeName: String { get }

    /// The SIMD vector that element-wise kernels written once for both types step through
    /// (eight Floats or four Doubles: one AVX2 register).
    associatedtype Lanes: SIMD where Lanes.Scalar == Self

    /// e raised to `x`.
    static func exp(_ x: Self) -> Self
    /// The natural logarithm of `x`.
    static func log(_ x: Self) -> Self
    /// `log(1 + x)`, accurate for small `x`.
    static func log1p(_ x: Self) -> Self
    /// The hyperbolic tangent of `x`.
    static func tanh(_ x: Self) -> Self
    /// The error function of `x`.
    static func erf(_ x: Self) -> Self

    /// Computes `C = op(A)·op(B)` (or `C += op(A)·op(B)` when `accumulate` is true) for
    /// row-major matrices, where `op(A)` is `m×k`, `op(B)` is `k×n` and `C` is `m×n`.
    static func matrixMultiply(
        _ a: UnsafeBufferPointer<Self>, transposed transposeA: Bool,
        _ b: UnsafeBufferPointer<Self>, transposed transposeB: Bool,
        into c: UnsafeMutableBufferPointer<Self>,
        m: Int, n: Int, k: Int, accumulate: Bool)

    /// Computes `C = A·B + bias` for row-major `A` (`m×k`), `B` (`k×n`) and `C` (`m×n`),
    /// adding `bias` (length `n`) to every row: a dense layer's or a convolution's affine map.
    /// The default is ``matrixMultiply(_:transposed:_:transposed:into:m:n:k:accumulate:)``
    /// then ``addRowVector(_:to:columns:)``; `Float` adds the bias as the product stores each
    /// tile (same bits, one pass over C fewer).
    static func affine(
        _ a: UnsafeBufferPointer<Self>, _ b: UnsafeBufferPointer<Self>, bias: UnsafeBufferPointer<Self>,
        into c: UnsafeMutableBufferPointer<Self>, m: Int, n: Int, k: Int)

    /// Adds `bias` (length `columns`) to every row of `values` (`rows×columns`, in place).
    static func addRowVector(
        _ bias: UnsafeBufferPointer<Self>, to values: UnsafeMutableBufferPointer<Self>, columns: Int)

    /// Adds the column sums of `values` (`rows×columns`) into `sums` (length `columns`).
    static func accumulateColumnSums(
        of values: UnsafeBufferPointer<Self>, into sums: UnsafeMutableBufferPointer<Self>, columns: Int)

    /// Writes `activation(input[i])` into `output[i]`.
    static func activate<A: Activation>(
        _ activation: A, _ input: UnsafeBufferPointer<Self>, into output: UnsafeMutableBufferPointer<Self>)

    /// Multiplies `gradient[i]` by the activation's derivative at `input[i]` (whose value is `output[i]`).
    static func multiplyByDerivative<A: Activation>(
        of activation: A, input: UnsafeBufferPointer<Self>, output: UnsafeBufferPointer<Self>,
        gradient: UnsafeMutableBufferPointer<Self>)

    /// Replaces every row of `values` (`rows×columns`) with its softmax, computed stably.
    static func softmaxRows(_ values: UnsafeMutableBufferPointer<Self>, columns: Int)

    /// Replaces every row of `gradient` with the input gradient of a row softmax whose
    /// output row is `output`: `gᵢ ← yᵢ (gᵢ − Σⱼ gⱼ yⱼ)`.
    static func softmaxBackwardRows(
        output: UnsafeBufferPointer<Self>, gradient: UnsafeMutableBufferPointer<Self>, columns: Int)

    /// `y += alpha · x`, element by element (BLAS's axpy).
    static func addScaled(_ x: UnsafeBufferPointer<Self>, by alpha: Self, to y: UnsafeMutableBufferPointer<Self>)

    /// Returns an array of `count` copies of `value`.
    static func array(repeating value: Self, count: Int) -> [Self]
}

extension TensorScalar {
    // Default kernels, written once. `@_specialize` makes every entry point — through the
    // protocol or called directly as `Float.matrixMultiply` from another module — run code
    // compiled for Float or Double (without it a direct call ran the generic body: measured
    // 0.14 GFLOP/s instead of several).
    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func matrixMultiply(
        _ a: UnsafeBufferPointer<Self>, transposed transposeA: Bool,
        _ b: UnsafeBufferPointer<Self>, transposed transposeB: Bool,
        into c: UnsafeMutableBufferPointer<Self>, m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        Kernels.matrixMultiply(a, transposeA, b, transposeB, c, m: m, n: n, k: k, accumulate: accumulate)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func affine(
        _ a: UnsafeBufferPointer<Self>, _ b: UnsafeBufferPointer<Self>, bias: UnsafeBufferPointer<Self>,
        into c: UnsafeMutableBufferPointer<Self>, m: Int, n: Int, k: Int
    ) {
        matrixMultiply(a, transposed: false, b, transposed: false, into: c, m: m, n: n, k: k, accumulate: false)
        addRowVector(bias, to: c, columns: n)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func addRowVector(
        _ bias: UnsafeBufferPointer<Self>, to values: UnsafeMutableBufferPointer<Self>, columns: Int
    ) {
        Kernels.addRowVector(bias, to: values, columns: columns)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func accumulateColumnSums(
        of values: UnsafeBufferPointer<Self>, into sums: UnsafeMutableBufferPointer<Self>, columns: Int
    ) {
        Kernels.accumulateColumnSums(of: values, into: sums, columns: columns)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func softmaxRows(_ values: UnsafeMutableBufferPointer<Self>, columns: Int) {
        Kernels.softmaxRows(values, columns: columns)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func softmaxBackwardRows(
        output: UnsafeBufferPointer<Self>, gradient: UnsafeMutableBufferPointer<Self>, columns: Int
    ) {
        Kernels.softmaxBackwardRows(output: output, gradient: gradient, columns: columns)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func addScaled(_ x: UnsafeBufferPointer<Self>, by alpha: Self, to y: UnsafeMutableBufferPointer<Self>) {
        Kernels.addScaled(x, by: alpha, to: y)
    }

    @_specialize(where Self == Float)
    @_specialize(where Self == Double)
    public static func array(repeating value: Self, count: Int) -> [Self] {
        [Self](repeating: value, count: count)
    }
}

// The activation bridge cannot be a default: it must pick the activation's Float or Double
// overload, which only code written for the concrete type can name.

extension Float: TensorScalar {
    public typealias Lanes = SIMD8<Float>
    public static var dtypeName: String { "float32" }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { erff(x) }

    /// The packed, multi-threaded kernel with micro-kernels for this CPU (see
    /// `PackedMatrixMultiply.swift`); `Double` uses the portable Swift kernel.
    public static func matrixMultiply(
        _ a: UnsafeBufferPointer<Float>, transposed transposeA: Bool,
        _ b: UnsafeBufferPointer<Float>, transposed transposeB: Bool,
        into c: UnsafeMutableBufferPointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        precondition(
            a.count >= m * k && b.count >= k * n && c.count >= m * n,
            "matrixMultiply: buffers smaller than \(m)×\(k) · \(k)×\(n)")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { c.update(repeating: 0) }
            return
        }
        Kernels.matrixMultiplyFloat(
            a.baseAddress!, transposeA, b.baseAddress!, transposeB, c.baseAddress!,
            m: m, n: n, k: k, accumulate: accumulate)
    }

    /// The packed kernel with the bias added as each tile of C is stored.
    public static func affine(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>,
        into c: UnsafeMutableBufferPointer<Float>, m: Int, n: Int, k: Int
    ) {
        precondition(
            a.count >= m * k && b.count >= k * n && c.count >= m * n && bias.count == n,
            "affine: buffers smaller than \(m)×\(k) · \(k)×\(n) + \(n)")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            c.baseAddress!.update(repeating: 0, count: m * n)
            Kernels.addBias(bias.baseAddress!, to: c.baseAddress!, rows: m, columns: n, rowStride: n)
            return
        }
        Kernels.matrixMultiplyFloat(
            a.baseAddress!, false, b.baseAddress!, false, c.baseAddress!, m: m, n: n, k: k, accumulate: false, bias: bias.baseAddress!)
    }

    public static func activate<A: Activation>(
        _ activation: A, _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) { activation.apply(input, into: output) }

    public static func multiplyByDerivative<A: Activation>(
        of activation: A, input: UnsafeBufferPointer<Float>, output: UnsafeBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>
    ) { activation.multiplyByDerivative(input: input, output: output, gradient: gradient) }
}

// Unqualified inside `extension Double`, `exp` would name the static requirement itself;
// these file-level names reach the C library's double-precision functions.
@usableFromInline func cLibraryExp(_ x: Double) -> Double { exp(x) }
@usableFromInline func cLibraryLog(_ x: Double) -> Double { log(x) }
@usableFromInline func cLibraryLog1p(_ x: Double) -> Double { log1p(x) }
@usableFromInline func cLibraryTanh(_ x: Double) -> Double { tanh(x) }
@usableFromInline func cLibraryErf(_ x: Double) -> Double { erf(x) }

extension Double: TensorScalar {
    public typealias Lanes = SIMD4<Double>
    public static var dtypeName: String { "float64" }
    @inlinable public static func exp(_ x: Double) -> Double { cLibraryExp(x) }
    @inlinable public static func log(_ x: Double) -> Double { cLibraryLog(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { cLibraryLog1p(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { cLibraryTanh(x) }
    @inlinable public static func erf(_ x: Double) -> Double { cLibraryErf(x) }

    public static func activate<A: Activation>(
        _ activation: A, _ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>
    ) { activation.apply(input, into: output) }

    public static func multiplyByDerivative<A: Activation>(
        of activation: A, input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
        gradient: UnsafeMutableBufferPointer<Double>
    ) { activation.multiplyByDerivative(input: input, output: output, gradient: gradient) }
}
