import Foundation
import NNCore
import NNLosses
import Testing

@Suite struct LossValueTests {
    let prediction = try! Tensor<Double>([[1, 2], [3, 4]])
    let target = try! Tensor<Double>([[0, 2], [1, 1]])   // differences 1, 0, 2, 3; squares sum to 14

    @Test(arguments: [
        (Reduction.sum, true, 7.0, [1.0, 0, 2, 3]),
        (.sum, false, 14, [2, 0, 4, 6]),
        (.mean, false, 3.5, [0.5, 0, 1, 1.5]),
        (.mean, true, 1.75, [0.25, 0, 0.5, 0.75]),
        (.meanOverBatch, true, 3.5, [0.5, 0, 1, 1.5]),
    ])
    func meanSquaredErrorConventions(reduction: Reduction, halved: Bool, value: Double, gradient: [Double]) throws {
        let (v, g) = try MeanSquaredError(reduction: reduction, halved: halved)
            .valueAndGradient(prediction: prediction, target: target)
        #expect(v == value)
        #expect(g.scalars == gradient && g.shape == [2, 2])
    }

    @Test func crossEntropyKnownValueAndTargetForms() throws {
        let logits = try Tensor<Double>([[1, 2, 3], [0.5, -1, 2]])
        let indices = Tensor<Double>([2, 0])
        let oneHot = try Tensor<Double>([[0, 0, 1], [1, 0, 0]])
        let loss = CrossEntropy(reduction: .sum)
        let (fromIndices, gradientFromIndices) = try loss.valueAndGradient(prediction: logits, target: indices)
        let (fromOneHot, gradientFromOneHot) = try loss.valueAndGradient(prediction: logits, target: oneHot)
        // −log softmax([1, 2, 3])[2] = log(1 + e⁻¹ + e⁻²); −log softmax([0.5, −1, 2])[0] = log(1 + e^−1.5 + e^1.5).
        let expected = log(1 + exp(-1.0) + exp(-2.0)) + log(1 + exp(-1.5) + exp(1.5))
        #expect(abs(fromIndices - expected) < 1e-14)
        #expect(abs(fromOneHot - expected) < 1e-14)
        #expect(zip(gradientFromIndices.scalars, gradientFromOneHot.scalars).allSatisfy { abs($0 - $1) < 1e-15 })
        // Index targets shaped [batch, 1] work too, and the mean halves the sum here.
        let mean = try CrossEntropy().value(prediction: logits, target: indices.reshaped(to: [2, 1]))
        #expect(abs(mean - expected / 2) < 1e-14)
    }

    @Test func crossEntropyIsStableForHugeLogits() throws {
        let (value, gradient) = try CrossEntropy().valueAndGradient(
            prediction: Tensor<Float>([[1000, 0, -1000]]), target: Tensor<Float>([1]))
        #expect(value == 1000)
        #expect(gradient.scalars == [1, -1, 0])
    }

    @Test func binaryCrossEntropyFromProbabilitiesAndLogitsAgree() throws {
        let probabilities = try Tensor<Double>([0.8, 0.3, 0.5]).reshaped(to: [3, 1])
        let logits = try Tensor<Double>(shape: [3, 1], scalars: probabilities.scalars.map { log($0 / (1 - $0)) })
        let targets = try Tensor<Double>([1, 0, 0.25]).reshaped(to: [3, 1])
        let (p, gp) = try BinaryCrossEntropy(input: .probabilities).valueAndGradient(prediction: probabilities, target: targets)
        let (l, _) = try BinaryCrossEntropy(input: .logits).valueAndGradient(prediction: logits, target: targets)
        let expected = (-log(0.8) - log(0.7) - (0.25 * log(0.5) + 0.75 * log(0.5))) / 3
        #expect(abs(p - expected) < 1e-14 && abs(l - expected) < 1e-14)
        #expect(abs(gp[0, 0] - (0.8 - 1) / (0.8 * 0.2) / 3) < 1e-14)
        // PyTorch's clamp: a certain, wrong prediction costs 100, not infinity.
        #expect(try BinaryCrossEntropy().value(prediction: Tensor<Double>([0]), target: Tensor([1])) == 100)
        // Logits far out do not overflow.
        #expect(try BinaryCrossEntropy(input: .logits).value(prediction: Tensor<Float>([-200]), target: Tensor([1])) == 200)
    }

    @Test func badTargetsAreTypedErrors() throws {
        let logits = try Tensor<Double>([[1, 2, 3]])
        #expect(throws: LossError.invalidClassIndex(sample: 0, value: 3, classCount: 3)) {
            try CrossEntropy().value(prediction: logits, target: Tensor([3]))
        }
        #expect(throws: LossError.invalidClassIndex(sample: 0, value: 1.5, classCount: 3)) {
            try CrossEntropy().value(prediction: logits, target: Tensor([1.5]))
        }
        #expect(throws: LossError.shapeMismatch(loss: "CrossEntropy", prediction: [1, 3], target: [2])) {
            try CrossEntropy().value(prediction: logits, target: Tensor([0, 1]))
        }
        #expect(throws: LossError.shapeMismatch(loss: "MeanSquaredError", prediction: [1, 3], target: [2])) {
            try MeanSquaredError().value(prediction: logits, target: Tensor([0, 1]))
        }
        #expect(throws: LossError.targetOutOfRange(index: 0, value: 2, range: 0...1)) {
            try BinaryCrossEntropy().value(prediction: Tensor<Double>([0.5]), target: Tensor([2]))
        }
        #expect(throws: LossError.self) { try CrossEntropy().validate(predictionShape: [3], targetShape: [2]) }
        try CrossEntropy().validate(predictionShape: [3], targetShape: [])
        try CrossEntropy().validate(predictionShape: [3], targetShape: [3])
    }
}
