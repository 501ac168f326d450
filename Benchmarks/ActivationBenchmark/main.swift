// Does an activation written outside the library run as fast as a built-in one?
//
// A user-defined sigmoid (`UserSigmoid`, below, written exactly as a user would) against the
// built-in `Sigmoid`, each in a 784→256→10 `Sequential` doing forward + backward on a batch
// of 64. Both networks reach their layers through `any Layer`, the path every model takes.
// Rounds alternate between the two so machine noise hits both alike; the report is the
// ratio of the median times. A third variant, `UnspecialisedSigmoid`, shows what the design
// avoids: an activation whose per-element code cannot be specialised (it calls through an
// existential for every element).
import Foundation
import NNCore

struct UserSigmoid: Activation {
    func value<T: TensorScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T { y * (1 - y) }
}

/// The same function evaluated through an existential per element: the cost the
/// specialised kernels avoid.
struct UnspecialisedSigmoid: Activation {
    let inner: any Activation = Sigmoid()
    func value<T: TensorScalar>(_ x: T) -> T { inner.value(x) }
    func derivative<T: TensorScalar>(input x: T, output y: T) -> T { inner.derivative(input: x, output: y) }
}

func network<A: Activation>(_ activation: A) -> Sequential<Float> {
    var generator = SeededRandomGenerator(seed: 1)
    return Sequential<Float>(
        Dense<Float, A>(inputSize: 784, outputSize: 256, activation: activation, generator: &generator),
        Dense<Float, A>(inputSize: 256, outputSize: 10, activation: activation, generator: &generator))
}

func seconds(of model: inout Sequential<Float>, input: Tensor<Float>, gradient: Tensor<Float>, repetitions: Int) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<repetitions {
        model.zeroGradients()
        _ = model.forward(input)
        _ = model.backward(gradient)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Element-wise work only (no matrix products): the activation's forward and derivative
/// kernels over a large buffer, which is where specialisation matters.
func elementwiseSeconds<A: Activation>(_ activation: A, input: Tensor<Float>, repetitions: Int) -> Double {
    var gradient = input
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<repetitions {
        let output = activation(input)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in Float.multiplyByDerivative(of: activation, input: x, output: y, gradient: g) }
            }
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 15
var generator = SeededRandomGenerator(seed: 2)
let input = try Tensor<Float>(shape: [64, 784], scalars: (0..<(64 * 784)).map { _ in generator.nextUniformFloat() })
let gradient = try Tensor<Float>(shape: [64, 10], scalars: (0..<640).map { _ in generator.nextUniformFloat() - 0.5 })
let large = try Tensor<Float>(shape: [1 << 20], scalars: (0..<(1 << 20)).map { _ in 8 * generator.nextUniformFloat() - 4 })

var builtIn = network(Sigmoid()), user = network(UserSigmoid()), unspecialised = network(UnspecialisedSigmoid())
var times: [String: [Double]] = [:]
for _ in 0..<rounds {
    times["network built-in", default: []].append(seconds(of: &builtIn, input: input, gradient: gradient, repetitions: 10))
    times["network user", default: []].append(seconds(of: &user, input: input, gradient: gradient, repetitions: 10))
    times["network unspecialised", default: []].append(seconds(of: &unspecialised, input: input, gradient: gradient, repetitions: 10))
    times["elementwise built-in", default: []].append(elementwiseSeconds(Sigmoid(), input: large, repetitions: 5))
    times["elementwise user", default: []].append(elementwiseSeconds(UserSigmoid(), input: large, repetitions: 5))
    times["elementwise unspecialised", default: []].append(elementwiseSeconds(UnspecialisedSigmoid(), input: large, repetitions: 5))
}
print("median over \(rounds) interleaved rounds; ratio = time / built-in time (1.00 = as fast as built-in)")
for part in ["network", "elementwise"] {
    let reference = median(times["\(part) built-in"]!)
    for kind in ["built-in", "user", "unspecialised"] {
        let time = median(times["\(part) \(kind)"]!)
        print(
            "\(part.padding(toLength: 12, withPad: " ", startingAt: 0)) \(kind.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                + String(format: "%8.3f ms   ratio %.2f", time * 1000, time / reference))
    }
}
