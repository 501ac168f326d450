import Foundation
import NNCore
import NNOptimizers
import Testing

/// A one-weight, one-bias layer whose gradients the test sets by hand before each step.
func scalarLayer(weight: Double, bias: Double = 0) -> Dense<Double, Identity> {
    try! Dense(weight: Tensor<Double>([[weight]]), bias: Tensor([bias]), activation: Identity())
}

/// Runs one update per gradient pair and returns the (weight, bias) after each.
func trajectory(
    _ optimizer: GradientOptimizer, from layer: Dense<Double, Identity>,
    gradients: [(weight: Double, bias: Double)]
) -> [(weight: Double, bias: Double)] {
    var optimizer = optimizer, layer = layer
    return gradients.map { gradient in
        layer.weight.gradient[flat: 0] = gradient.weight
        layer.bias.gradient[flat: 0] = gradient.bias
        optimizer.update(&layer)
        return (layer.weight.value[flat: 0], layer.bias.value[flat: 0])
    }
}

func expectClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-15, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= tolerance, "\(a) vs \(b)", sourceLocation: sourceLocation)
}

@Suite struct UpdateRuleTests {
    @Test func fixedStepMovesByTheStepAgainstTheSignAndNotAtZero() {
        let steps = trajectory(
            .fixedStep(0.1), from: scalarLayer(weight: 1, bias: 2),
            gradients: [(0.5, 0), (-2, 0), (1e-9, -3)])
        expectClose(steps[0].weight, 0.9)
        #expect(steps[0].bias == 2)
        expectClose(steps[1].weight, 1.0)
        #expect(steps[1].bias == 2)
        expectClose(steps[2].weight, 0.9)
        expectClose(steps[2].bias, 2.1)
    }

    @Test func momentumAndNesterovByHand() {
        let gradients: [(Double, Double)] = [(1, 0), (0.5, 0), (-1, 0)]
        // v₁ = 1, θ₁ = 1 − 0.1·1; v₂ = 0.9 + 0.5 = 1.4, θ₂ = 0.9 − 0.14; v₃ = 1.26 − 1 = 0.26, θ₃ = 0.76 − 0.026
        let heavyBall = trajectory(.gradientDescent(learningRate: 0.1, momentum: 0.9), from: scalarLayer(weight: 1), gradients: gradients)
        expectClose(heavyBall[0].weight, 0.9)
        expectClose(heavyBall[1].weight, 0.76)
        expectClose(heavyBall[2].weight, 0.734)
        // Nesterov steps by g + μv: 1.9, 0.5 + 1.26 = 1.76, −1 + 0.234 = −0.766
        let nesterov = trajectory(
            .gradientDescent(learningRate: 0.1, momentum: 0.9, nesterov: true),
            from: scalarLayer(weight: 1), gradients: gradients)
        expectClose(nesterov[0].weight, 0.81)
        expectClose(nesterov[1].weight, 0.634)
        expectClose(nesterov[2].weight, 0.7106)
    }

    @Test func adamsFirstThreeStepsFollowItsFormula() {
        let (lr, beta1, beta2, epsilon) = (0.01, 0.9, 0.999, 1e-8)
        let gradients = [0.5, -0.2, 0.3]
        var theta = 1.0, m = 0.0, v = 0.0
        var expected: [Double] = []
        for (index, g) in gradients.enumerated() {
            let t = Double(index + 1)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            theta -= lr * (m / (1 - pow(beta1, t))) / ((v / (1 - pow(beta2, t))).squareRoot() + epsilon)
            expected.append(theta)
        }
        let steps = trajectory(.adam(learningRate: lr), from: scalarLayer(weight: 1), gradients: gradients.map { ($0, 0) })
        for (step, want) in zip(steps, expected) { expectClose(step.weight, want) }
        // The first step moves by the learning rate whatever the gradient's size.
        expectClose(steps[0].weight, 1 - lr * 0.5 / (0.5 + epsilon))
    }

    @Test func adamWDecaysTheWeightOutsideTheMoments() {
        let steps = trajectory(.adamW(learningRate: 0.01, weightDecay: 0.1), from: scalarLayer(weight: 2), gradients: [(0.5, 0)])
        expectClose(steps[0].weight, 2 * (1 - 0.01 * 0.1) - 0.01 * 0.5 / (0.5 + 1e-8))
    }

    @Test func rmsPropByHand() {
        let steps = trajectory(.rmsProp(learningRate: 0.01), from: scalarLayer(weight: 1), gradients: [(0.5, 0), (0.5, 0)])
        let v1 = 0.01 * 0.25, v2 = 0.99 * v1 + 0.01 * 0.25
        expectClose(steps[0].weight, 1 - 0.01 * 0.5 / (v1.squareRoot() + 1e-8))
        expectClose(steps[1].weight, steps[0].weight - 0.01 * 0.5 / (v2.squareRoot() + 1e-8))
    }

    @Test func weightDecayAddsLambdaThetaToTheGradient() {
        let steps = trajectory(
            .gradientDescent(learningRate: 0.1, weightDecay: 0.5), from: scalarLayer(weight: 2, bias: 1),
            gradients: [(0.3, 0)])
        expectClose(steps[0].weight, 2 - 0.1 * (0.3 + 0.5 * 2))
        expectClose(steps[0].bias, 1 - 0.1 * 0.5)
    }

    @Test func clippingByValueAndByGlobalNorm() {
        let byValue = trajectory(
            GradientOptimizer.gradientDescent(learningRate: 0.1).clipped(.byValue(1)),
            from: scalarLayer(weight: 0), gradients: [(5, -0.25)])
        expectClose(byValue[0].weight, -0.1)
        expectClose(byValue[0].bias, 0.025)
        // Gradients (3, 4) have norm 5: clipped to norm 1 they are (0.6, 0.8).
        let byNorm = trajectory(
            GradientOptimizer.gradientDescent(learningRate: 1).clipped(.byGlobalNorm(1)),
            from: scalarLayer(weight: 0), gradients: [(3, 4), (0.3, 0.4)])
        expectClose(byNorm[0].weight, -0.6)
        expectClose(byNorm[0].bias, -0.8)
        expectClose(byNorm[1].weight, -0.9)
        expectClose(byNorm[1].bias, -1.2)   // norm 0.5: unchanged
    }
}

@Suite struct LearningRateScheduleTests {
    func multipliers(_ schedule: LearningRateSchedule, _ count: Int) -> [Double] {
        (0..<count).map { schedule.multiplier(atStep: $0) }
    }

    @Test func eachScheduleByHand() {
        #expect(multipliers(.constant, 3) == [1, 1, 1])
        #expect(multipliers(.stepDecay(interval: 2, factor: 0.5), 5) == [1, 1, 0.5, 0.5, 0.25])
        #expect(zip(multipliers(.exponential(factor: 0.9), 3), [1, 0.9, 0.81]).allSatisfy { abs($0 - $1) < 1e-15 })
        let cosine = multipliers(.cosine(steps: 4, minimum: 0.1), 6)
        let expected = [1, 0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2, 0.55, 0.1 + 0.9 * (1 + cos(3 * Double.pi / 4)) / 2, 0.1, 0.1]
        #expect(zip(cosine, expected).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(multipliers(.warmup(steps: 4, then: .stepDecay(interval: 1, factor: 0.5)), 7) == [0.25, 0.5, 0.75, 1, 1, 0.5, 0.25])
    }

    @Test func theOptimizerFollowsItsSchedule() {
        let optimizer = GradientOptimizer.gradientDescent(learningRate: 0.1).scheduled(.stepDecay(interval: 1, factor: 0.5))
        let steps = trajectory(optimizer, from: scalarLayer(weight: 0), gradients: [(1, 0), (1, 0), (1, 0)])
        expectClose(steps[0].weight, -0.1)
        expectClose(steps[1].weight, -0.15)
        expectClose(steps[2].weight, -0.175)
    }
}

@Suite struct ParameterGroupTests {
    @Test func groupsSetTheirOwnLearningRates() {
        let optimizer = GradientOptimizer.gradientDescent(learningRate: 0.1)
            .grouped(ParameterGroup(.suffix("bias"), learningRate: 0.005), ParameterGroup(.suffix("weight"), learningRate: 0.2))
        let steps = trajectory(optimizer, from: scalarLayer(weight: 1, bias: 1), gradients: [(1, 1)])
        expectClose(steps[0].weight, 0.8)
        expectClose(steps[0].bias, 0.995)
        #expect(optimizer.currentLearningRate(for: "layers.0.bias") == 0.005)
        #expect(optimizer.currentLearningRate(for: "layers.0.other") == 0.1)
    }

    @Test func biasesWithLearningRateZeroAndFrozenStayPut() {
        var layer = scalarLayer(weight: 1, bias: 0.5)
        layer.freeze { $0 == "bias" }
        var optimizer = GradientOptimizer.adam(learningRate: 0.1).grouped(ParameterGroup(.suffix("bias"), learningRate: 0))
        for _ in 0..<5 {
            layer.weight.gradient[flat: 0] = 1
            layer.bias.gradient[flat: 0] = 1
            optimizer.update(&layer)
        }
        #expect(layer.bias.value[flat: 0] == 0.5)
        #expect(layer.weight.value[flat: 0] < 0.6)
        #expect(optimizer.state.keys.sorted() == ["weight"])   // a frozen parameter keeps no state
        #expect(optimizer.state["weight"]?.step == 5 && optimizer.stepCount == 5)

        // Learning rate 0 alone also leaves the bias unchanged.
        var unfrozen = scalarLayer(weight: 1, bias: 0.5)
        unfrozen.bias.gradient[flat: 0] = 1
        var plain = GradientOptimizer.gradientDescent(learningRate: 0.1).grouped(ParameterGroup(.suffix("bias"), learningRate: 0))
        plain.update(&unfrozen)
        #expect(unfrozen.bias.value[flat: 0] == 0.5)
    }
    @Test func updatingAndZeroingInOnePassEqualsUpdatingThenZeroing() {
        // Adam (with state) and plain descent (without), a frozen bias, clipping by norm.
        for rule in [GradientOptimizer.adam(learningRate: 0.1), .gradientDescent(learningRate: 0.1)] {
            var fused = rule.clipped(.byGlobalNorm(1)), separate = fused
            var a = scalarLayer(weight: 1, bias: 0.5), b = a
            a.freeze { $0 == "bias" }
            b.freeze { $0 == "bias" }
            for (weight, bias) in [(0.3, -2.0), (-1.5, 0.25), (4.0, 1.0)] {
                a.weight.gradient[flat: 0] = weight
                a.bias.gradient[flat: 0] = bias
                b.weight.gradient[flat: 0] = weight
                b.bias.gradient[flat: 0] = bias
                fused.updateAndZeroGradients(&a)
                separate.update(&b)
                b.zeroGradients()
                #expect(a.weight.value[flat: 0] == b.weight.value[flat: 0])
                #expect(a.bias.value[flat: 0] == 0.5)
                #expect(a.weight.gradient[flat: 0] == 0 && a.bias.gradient[flat: 0] == 0)
            }
            #expect(fused.checkpointState == separate.checkpointState)
        }
    }
}
