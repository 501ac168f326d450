import NNCore
import NNOptimizers
import Testing

@Suite struct GradientDescentTests {
    func layerWithGradients() throws -> Dense<Double, Identity> {
        var layer = try Dense(weight: Tensor<Double>([[1, 2], [3, 4]]), bias: Tensor([0.5, -0.5]), activation: Identity())
        layer.weight.gradient = try Tensor([[0.1, -0.2], [0.3, 0.0]])
        layer.bias.gradient = Tensor([1, -1])
        return layer
    }

    @Test func stepsAgainstTheGradient() throws {
        var layer = try layerWithGradients()
        var optimizer: GradientOptimizer = .gradientDescent(learningRate: 0.5)
        optimizer.update(&layer)
        let expected: [Double] = [1 - 0.05, 2 + 0.1, 3 - 0.15, 4]
        #expect(layer.weight.value.scalars == expected)
        #expect(layer.bias.value.scalars == [0, 0])
    }

    @Test func leavesFrozenParametersAlone() throws {
        var layer = try layerWithGradients()
        layer.freeze { $0 == "bias" }
        var optimizer: GradientOptimizer = .gradientDescent(learningRate: 0.5)
        optimizer.update(&layer)
        #expect(layer.bias.value.scalars == [0.5, -0.5])
        #expect(layer.weight.value.scalars[0] == 0.95)
        layer.unfreeze()
        optimizer.update(&layer)
        #expect(layer.bias.value.scalars == [0, 0])
    }
}

@Suite struct BatchScheduleTests {
    @Test func fullBatchAndInOrder() {
        var generator = SeededRandomGenerator(seed: 0)
        #expect(FullBatch().batches(sampleCount: 4, generator: &generator) == [[0, 1, 2, 3]])
        #expect(InOrderBatches(size: 2).batches(sampleCount: 5, generator: &generator) == [[0, 1], [2, 3], [4]])
        #expect(InOrderBatches(size: 2, dropLast: true).batches(sampleCount: 5, generator: &generator) == [[0, 1], [2, 3]])
        #expect(generator == SeededRandomGenerator(seed: 0))   // ordered schedules draw nothing
    }

    @Test func aReusedPlanIsInOrderAfterAShuffleOrARandomDraw() {
        var plan = BatchPlan(), generator = SeededRandomGenerator(seed: 4)
        plan.setInOrder(sampleCount: 6, batchSize: 6)
        plan.setInOrder(sampleCount: 6, batchSize: 4)   // kept, re-batched
        #expect(plan.map(Array.init) == [[0, 1, 2, 3], [4, 5]])
        plan.setShuffled(sampleCount: 6, batchSize: 6, generator: &generator)
        #expect(plan.order != Array(0..<6))
        plan.setInOrder(sampleCount: 6, batchSize: 6)
        #expect(plan.order == Array(0..<6))
        plan.setRandomSamples(steps: 6, sampleCount: 6, generator: &generator)
        plan.setInOrder(sampleCount: 6, batchSize: 3)
        #expect(plan.map(Array.init) == [[0, 1, 2], [3, 4, 5]])
        plan.setInOrder(sampleCount: 3, batchSize: 3)   // another sample count
        #expect(plan.order == [0, 1, 2])
        // Equal to a plan built from the same order, however each was made.
        #expect(plan == BatchPlan(order: [0, 1, 2], batchSize: 3))
    }

    @Test func shuffledBatchesAreSeededPermutations() {
        var a = SeededRandomGenerator(seed: 3), b = SeededRandomGenerator(seed: 3)
        let schedule = ShuffledBatches(size: 4)
        let first = schedule.batches(sampleCount: 10, generator: &a)
        #expect(first == schedule.batches(sampleCount: 10, generator: &b))
        #expect(first.map(\.count) == [4, 4, 2])
        #expect(first.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(first.flatMap { $0 } != Array(0..<10))
        #expect(schedule.batches(sampleCount: 10, generator: &a) != first)   // reshuffled every epoch
    }

    @Test func randomSamplesDrawWithReplacement() {
        var generator = SeededRandomGenerator(seed: 1)
        let batches = RandomSamples().batches(sampleCount: 5, generator: &generator)
        #expect(batches.count == 5 && batches.allSatisfy { $0.count == 1 && (0..<5).contains($0[0]) })
        let many = RandomSamples(stepsPerEpoch: 1000).batches(sampleCount: 5, generator: &generator).map { $0[0] }
        #expect(Set(many).count == 5)
        #expect(Set(RandomSamples(stepsPerEpoch: 50).batches(sampleCount: 50, generator: &generator).map { $0[0] }).count < 50)
    }
}
