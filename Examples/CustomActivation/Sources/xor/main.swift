// Trains 2 → 8 Mish → gate → 1 sigmoid on XOR with NNCore alone: forward, the gradient of
// ½(y − t)², backward, and a plain gradient step written out.
import CustomActivation
import NNCore

var generator = SeededRandomGenerator(seed: 7)
var model = Sequential<Float>(
    Dense<Float, Mish>(inputSize: 2, outputSize: 8, activation: Mish(), generator: &generator),
    FeatureGate<Float>(features: 8),
    Dense<Float, Sigmoid>(inputSize: 8, outputSize: 1, activation: Sigmoid(), generator: &generator))
let x = try Tensor<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])
let t: [Float] = [0, 1, 1, 0]

for epoch in 1...3000 {
    model.zeroGradients()
    let y = model.forward(x)
    _ = model.backward(try Tensor(shape: [4, 1], scalars: zip(y.scalars, t).map { ($0 - $1) / 4 }))
    model.visitParameters { _, parameter in
        for i in 0..<parameter.value.scalarCount { parameter.value[flat: i] -= 1.0 * parameter.gradient[flat: i] }
    }
    if epoch % 1000 == 0 {
        let loss = zip(y.scalars, t).map { 0.5 * ($0 - $1) * ($0 - $1) }.reduce(0, +) / 4
        print("epoch \(epoch): loss \(loss)")
    }
}
let outputs = model(x).scalars
let accuracy = zip(outputs, t).filter { ($0 >= 0.5) == ($1 >= 0.5) }.count
print("outputs for 00 01 10 11: \(outputs.map { ($0 * 1000).rounded() / 1000 }), accuracy \(accuracy)/4")
if accuracy != 4 { fatalError("XOR was not learnt") }
