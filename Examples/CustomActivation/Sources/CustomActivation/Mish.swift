import NNCore

/// Mish (Misra, 2019): `f(x) = x·tanh(softplus(x))`, written outside swift-nn in a few lines.
/// Layers specialise their element loops for it, so it runs as fast as a built-in activation.
public struct Mish: Activation {
    public init() {}

    public func value<T: TensorScalar>(_ x: T) -> T {
        x * T.tanh(Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x))))
    }

    /// `f′(x) = tanh(sp(x)) + x·σ(x)·(1 − tanh²(sp(x)))`, with sp the softplus and σ the sigmoid.
    public func derivative<T: TensorScalar>(input x: T, output y: T) -> T {
        let t = T.tanh(Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x))))
        let sigmoid = 1 / (1 + T.exp(-x))
        return t + x * sigmoid * (1 - t * t)
    }
}
