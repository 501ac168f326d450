/// The Gaussian error linear unit in its exact form, `f(x) = x · Φ(x)`, where Φ is the
/// standard normal distribution function (PyTorch's default, `approximate='none'`).
///
/// `f′(x) = Φ(x) + x · φ(x)`, with φ the standard normal density.
public struct GELU: Activation, Codable {
    /// Creates the exact GELU activation.
    public init() {}

    @inlinable public func value<T: TensorScalar>(_ x: T) -> T {
        x * Self.normalCDF(x)
    }

    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T {
        let density = T.exp(-x * x / 2) / T(2 * Double.pi).squareRoot()
        return Self.normalCDF(x) + x * density
    }

    @inlinable static func normalCDF<T: TensorScalar>(_ x: T) -> T {
        (1 + T.erf(x / T(2).squareRoot())) / 2
    }
}
