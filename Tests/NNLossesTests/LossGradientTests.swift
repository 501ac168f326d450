import NNCore
import NNLosses
import Testing

/// Uniform values in `[lower, upper)` shaped `shape`.
func uniform(_ shape: [Int], _ lower: Double, _ upper: Double, seed: UInt64) -> Tensor<Double> {
    var generator = SeededRandomGenerator(seed: seed)
    return try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextUniform(in: lower, upper) })
}

@Suite struct LossGradientTests {
    static let cases: [(String, any Loss, Tensor<Double>, Tensor<Double>)] = {
        var result: [(String, any Loss, Tensor<Double>, Tensor<Double>)] = []
        let scores = uniform([4, 3], -2, 2, seed: 1)
        let probabilities = uniform([4, 3], 0.05, 0.95, seed: 2)
        let soft = uniform([4, 3], 0, 1, seed: 3)
        let classIndices = Tensor<Double>([2, 0, 1, 1])
        var oneHot = Tensor<Double>(zeros: [4, 3])
        for (row, label) in classIndices.scalars.enumerated() { oneHot[row, Int(label)] = 1 }
        for reduction in Reduction.allCases {
            for halved in [false, true] {
                result.append(("mse \(reduction) halved:\(halved)", MeanSquaredError(reduction: reduction, halved: halved), scores, soft))
            }
            result.append(("cross-entropy indices \(reduction)", CrossEntropy(reduction: reduction), scores, classIndices))
            result.append(("cross-entropy one-hot \(reduction)", CrossEntropy(reduction: reduction), scores, oneHot))
            result.append(("bce probabilities \(reduction)", BinaryCrossEntropy(input: .probabilities, reduction: reduction), probabilities, soft))
            result.append(("bce logits \(reduction)", BinaryCrossEntropy(input: .logits, reduction: reduction), scores, soft))
        }
        return result
    }()

    @Test(arguments: cases.map(\.0))
    func gradientMatchesFiniteDifferences(name: String) throws {
        let (_, loss, prediction, target) = Self.cases.first { $0.0 == name }!
        let report = try GradientCheck.check(loss: loss, prediction: prediction, target: target)
        #expect(report.checkedCount == 12)
        #expect(report.worstRelativeError < 1e-6, "\(name): \(report)")
    }

    @Test func layerWithLossThroughTheCombinedCheck() throws {
        var generator = SeededRandomGenerator(seed: 4)
        let model = Sequential<Double>(
            Dense<Double, Tanh>(inputSize: 3, outputSize: 5, activation: Tanh(), generator: &generator),
            Dense<Double, Identity>(inputSize: 5, outputSize: 3, activation: Identity(), generator: &generator))
        let report = try GradientCheck.check(
            model, input: uniform([4, 3], -1, 1, seed: 5),
            target: Tensor([0, 2, 1, 2]), loss: CrossEntropy())
        #expect(report.worstRelativeError < 1e-6, "\(report)")
        #expect(throws: LossError.self) {
            try GradientCheck.check(model, input: uniform([4, 3], -1, 1, seed: 5), target: Tensor([0, 7, 1, 2]), loss: CrossEntropy())
        }
    }
}
