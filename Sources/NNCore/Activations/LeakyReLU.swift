/// The leaky rectified linear unit: `x` for positive `x`, `slope · x` otherwise.
public struct LeakyReLU: Activation, Codable {
    /// The gradient for negative inputs (PyTorch's and Keras's default is 0.01).
    public var slope: Double

    /// Creates a leaky ReLU with the given negative slope.
    public init(slope: Double = 0.01) {
        self.slope = slope
    }

    /// Decodes the slope, 0.01 when absent (so `{"type": "leaky-relu"}` means the default).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slope = try container.decodeIfPresent(Double.self, forKey: .slope) ?? 0.01
    }

    @inlinable public func value<T: TensorScalar>(_ x: T) -> T { x > 0 ? x : T(slope) * x }
    @inlinable public func derivative<T: TensorScalar>(input x: T, output y: T) -> T { x > 0 ? 1 : T(slope) }
}
