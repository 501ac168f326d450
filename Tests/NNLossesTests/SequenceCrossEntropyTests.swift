import Foundation
import NNCore
import NNLosses
import Testing

/// Cross-entropy over every time step of a sequence, with padding ignored.
@Suite struct SequenceCrossEntropyTests {
    /// Logits `[2, 4, 3]`; targets `[2, 4]` with two padded steps (−1).
    private let logits = try! Tensor<Double>(shape: [2, 4, 3], scalars: (0..<24).map { sin(Double($0) * 1.7) * 2 })
    private let targets = try! Tensor<Double>(shape: [2, 4], scalars: [0, 2, 1, -1, 1, 1, 0, -1])

    /// The mean over the six scored steps of `logΣe^z − z_target`, as PyTorch's
    /// `cross_entropy(logits.transpose(1, 2), targets, ignore_index=-1)` computes it.
    @Test func averagesOverScoredStepsOnly() throws {
        let loss = CrossEntropy(ignoreIndex: -1)
        var expected = 0.0
        for position in 0..<8 where targets[flat: position] != -1 {
            let row = (0..<3).map { logits[flat: position * 3 + $0] }
            expected += log(row.map(exp).reduce(0, +)) - row[Int(targets[flat: position])]
        }
        let (value, gradient) = try loss.valueAndGradient(prediction: logits, target: targets)
        #expect(abs(value - expected / 6) < 1e-14)
        #expect(loss.scoredCount(prediction: logits, target: targets) == 6)
        // Padded steps get no gradient.
        #expect((9..<12).allSatisfy { gradient[flat: $0] == 0 } && (21..<24).allSatisfy { gradient[flat: $0] == 0 })
        let summed = try CrossEntropy(reduction: .sum, ignoreIndex: -1).value(prediction: logits, target: targets)
        #expect(abs(summed - expected) < 1e-13)
        // Everything padded: nothing scored, loss 0 rather than 0/0.
        #expect(try loss.value(prediction: logits, target: Tensor(repeating: -1, shape: [2, 4])) == 0)
    }

    /// Finite differences in Double: worst relative error below 1e-6.
    @Test func gradientMatchesFiniteDifferences() throws {
        let report = try GradientCheck.check(loss: CrossEntropy(ignoreIndex: -1), prediction: logits, target: targets)
        #expect(report.checkedCount == 24 && report.worstRelativeError < 1e-6, "\(report)")
        let unmasked = try GradientCheck.check(
            loss: CrossEntropy(), prediction: logits, target: Tensor(shape: [2, 4], scalars: [0, 2, 1, 0, 1, 1, 0, 2]))
        #expect(unmasked.worstRelativeError < 1e-6, "\(unmasked)")
    }

    /// Without an ignore index −1 is a bad class index, named; shapes are checked per step.
    @Test func rejectsWhatItCannotScore() throws {
        #expect(throws: LossError.invalidClassIndex(sample: 3, value: -1, classCount: 3)) {
            try CrossEntropy().value(prediction: logits, target: targets)
        }
        #expect(throws: LossError.self) { try CrossEntropy().value(prediction: logits, target: Tensor(zeros: [2, 3])) }
        try CrossEntropy().validate(predictionShape: [4, 3], targetShape: [4])
        #expect(throws: LossError.self) { try CrossEntropy().validate(predictionShape: [4, 3], targetShape: [5]) }
    }
}
