import NNCore
import Testing

/// One case per built-in activation, with the name used in test output.
let builtInActivations: [(name: String, activation: any Activation)] = [
    ("identity", Identity()), ("sigmoid", Sigmoid()), ("tanh", Tanh()), ("relu", ReLU()),
    ("leaky-relu", LeakyReLU(slope: 0.1)), ("softplus", Softplus()), ("gelu", GELU()),
]

@Suite struct ActivationTests {
    @Test func knownValues() {
        #expect(Sigmoid().value(0.0) == 0.5)
        #expect(abs(Tanh().value(0.5) - 0.46211715726000974) < 1e-15)
        #expect(ReLU().value(-2.0) == 0 && ReLU().value(3.0) == 3)
        #expect(LeakyReLU(slope: 0.1).value(-2.0) == -0.2)
        #expect(abs(Softplus().value(0.0) - 0.6931471805599453) < 1e-15)
        #expect(Softplus().value(1000.0) == 1000 && Softplus().value(-1000.0) >= 0)
        #expect(abs(GELU().value(1.0) - 0.8413447460685429) < 1e-15)   // 1 · Φ(1)
        #expect(abs(GELU().value(-1.0) + 0.15865525393145707) < 1e-15)
    }

    @Test(arguments: builtInActivations.map(\.name))
    func derivativeMatchesFiniteDifferences(name: String) {
        let activation = builtInActivations.first { $0.name == name }!.activation
        var generator = SeededRandomGenerator(seed: 2)
        let h = 1e-6
        for _ in 0..<200 {
            var x = generator.nextUniform(in: -4.0, 4.0)
            if abs(x) < 1e-3 { x += 0.01 }   // stay off the kink of ReLU-like functions
            let numeric = (activation.value(x + h) - activation.value(x - h)) / (2 * h)
            let analytic = activation.derivative(input: x, output: activation.value(x))
            #expect(abs(numeric - analytic) / max(abs(numeric), abs(analytic), 1e-3) < 1e-6, "\(name) at \(x)")
        }
    }

    @Test(arguments: builtInActivations.map(\.name))
    func floatAndDoubleKernelsAgree(name: String) throws {
        let activation = builtInActivations.first { $0.name == name }!.activation
        let x = try Tensor<Double>([[-3, -0.5, 0.25, 2]])
        let y = activation(x), yFloat = activation(x.converted(to: Float.self))
        #expect(zip(y.scalars, yFloat.scalars).allSatisfy { abs($0 - Double($1)) < 1e-6 })
        #expect(zip(x.scalars, y.scalars).allSatisfy { activation.value($0) == $1 })
    }
}
