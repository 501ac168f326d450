import NN
import Testing

/// The address of a tensor's storage, to tell whether a step reused it.
private func storageAddress<T>(_ tensor: Tensor<T>) -> UInt {
    tensor.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
}

/// Training steps write into the buffers of the previous step (that is what makes a step of a
/// small network allocation-free; `Benchmarks/README.md` counts allocations with valgrind),
/// without giving up value semantics or changing any number.
@Suite struct StepBufferReuseTests {
    private func twoLayerModel() throws -> Sequential<Double> {
        Sequential<Double>(
            try Dense(weight: Tensor([[0.15, 0.25], [0.20, 0.30]]), bias: Tensor([0.35, 0.35]), activation: Tanh()),
            try Dense(weight: Tensor([[0.40, 0.50], [0.45, 0.55]]), bias: Tensor([0.60, 0.60]), activation: Sigmoid()))
    }

    @Test func denseForwardAndBackwardOverwriteLastStepsStorage() throws {
        var layer = try Dense(weight: Tensor<Double>([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]), bias: Tensor([0, 0, 0]), activation: Tanh())
        var addresses: [[UInt]] = []
        for step in 0..<3 {
            let input = try Tensor<Double>([[Double(step), 1], [2, -1]])
            let output = layer.forward(input)
            let inputGradient = layer.backward(Tensor(repeating: 1, shape: [2, 3]))
            addresses.append([storageAddress(output), storageAddress(inputGradient)])
        }
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])
    }

    @Test func imageLayersOverwriteLastStepsStorage() throws {
        // MaxPool2D once copied itself to write its output, so every step duplicated the
        // output of the step before: the addresses would then alternate.
        var generator = SeededRandomGenerator(seed: 3)
        var convolution = Conv2D<Double, ReLU>(
            channels: 1, filters: 2, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator)
        var pooling = MaxPool2D<Double>(size: 2), averaging = AvgPool2D<Double>(size: 2, padding: .zeros(1))
        var addresses: [[UInt]] = []
        for step in 0..<3 {
            let input = try Tensor<Double>(shape: [2, 4, 4, 1], scalars: (0..<32).map { Double(($0 * 7 + step) % 11) - 5 })
            let convolved = convolution.forward(input)
            let pooled = pooling.forward(convolved)
            let averaged = averaging.forward(pooled)
            let averageGradient = averaging.backward(Tensor(repeating: 1, shape: averaged.shape))
            let poolGradient = pooling.backward(averageGradient)
            let convolutionGradient = convolution.backward(poolGradient)
            addresses.append([convolved, pooled, averaged, averageGradient, poolGradient, convolutionGradient].map(storageAddress))
        }
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])
    }

    @Test func anOutputKeptByTheCallerIsNotOverwritten() throws {
        var layer = try Dense(weight: Tensor<Double>([[2]]), bias: Tensor([0]), activation: Identity())
        let first = layer.forward(try Tensor([[1]]))
        _ = layer.backward(try Tensor([[1]]))
        let second = layer.forward(try Tensor([[5]]))
        #expect(first.scalars == [2] && second.scalars == [10])
    }

    @Test func parameterOnlyBackwardGivesTheSameGradientsAsBackward() throws {
        let input = try Tensor<Double>([[0.05, 0.10], [0.3, -0.2]])
        var viaBackward = try twoLayerModel(), viaParameters = try twoLayerModel()
        _ = viaBackward.forward(input)
        _ = viaBackward.backward(Tensor(repeating: 0.5, shape: [2, 2]))
        _ = viaParameters.forward(input)
        viaParameters.accumulateParameterGradients(Tensor(repeating: 0.5, shape: [2, 2]))
        let expected = viaBackward.namedParameters.map { $0.parameter.gradient }
        let actual = viaParameters.namedParameters.map { $0.parameter.gradient }
        #expect(actual == expected)
        #expect(actual.allSatisfy { $0.scalars.contains { $0 != 0 } })
    }

    @Test func lossGradientIntoABufferEqualsTheAllocatingOneAndReusesIt() throws {
        let prediction = try Tensor<Double>([[0.2, 1.5, -0.3], [2.0, 0.1, 0.4]])
        let classIndices = try Tensor<Double>(shape: [2, 1], scalars: [1, 0])
        let oneHot = try Tensor<Double>([[0, 1, 0], [1, 0, 0]])
        var buffer = Tensor<Double>(zeros: [0])
        for (loss, target) in [(CrossEntropy() as any Loss, classIndices), (MeanSquaredError(halved: true), oneHot)] {
            let (value, gradient) = try loss.valueAndGradient(prediction: prediction, target: target)
            let bufferedValue = try loss.valueAndGradient(prediction: prediction, target: target, gradient: &buffer)
            let address = storageAddress(buffer)
            _ = try loss.valueAndGradient(prediction: prediction, target: target, gradient: &buffer)
            #expect(bufferedValue == value && buffer == gradient)
            #expect(storageAddress(buffer) == address)
        }
    }

    @Test func gatheringIntoBuffersEqualsBatchAndReusesThem() throws {
        let data = try InMemoryDataset(
            features: Tensor<Double>(shape: [4, 2, 2], scalars: (0..<16).map(Double.init)),
            targets: Tensor(shape: [4], scalars: [0, 1, 2, 3]))
        var features = Tensor<Double>(zeros: [0]), targets = Tensor<Double>(zeros: [0])
        data.batch([3, 0][...], features: &features, targets: &targets)
        let addresses = [storageAddress(features), storageAddress(targets)]
        let expected = data.batch([1, 2])
        data.batch([1, 2][...], features: &features, targets: &targets)
        #expect(features == expected.features && targets == expected.targets)
        #expect([storageAddress(features), storageAddress(targets)] == addresses)
        #expect(features.shape == [2, 2, 2])
    }

    @Test func aBatchPlanIsRefilledInPlaceWithTheSameBatchesAsBefore() {
        var plan = BatchPlan()
        var generator = SeededRandomGenerator(seed: 3), reference = SeededRandomGenerator(seed: 3)
        let schedule = ShuffledBatches(size: 4, dropLast: true)
        schedule.plan(&plan, sampleCount: 10, generator: &generator)
        let address = plan.order.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(plan.map(Array.init) == schedule.batches(sampleCount: 10, generator: &reference))
        schedule.plan(&plan, sampleCount: 10, generator: &generator)
        #expect(plan.map(Array.init) == schedule.batches(sampleCount: 10, generator: &reference))
        #expect(plan.order.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
        #expect(plan.count == 2 && plan[1].count == 4)
    }

    @Test func optimizerStateRestoredFromADictionaryFollowsTheNames() throws {
        let input = try Tensor<Double>([[0.05, 0.10]])
        func step(_ model: inout Sequential<Double>, _ optimizer: inout GradientOptimizer) {
            model.zeroGradients()
            _ = model.forward(input)
            model.accumulateParameterGradients(Tensor(repeating: 1, shape: [1, 2]))
            optimizer.update(&model)
        }
        var model = try twoLayerModel()
        var optimizer = GradientOptimizer.adam(learningRate: 0.01)
        for _ in 0..<3 { step(&model, &optimizer) }
        var resumedModel = model
        var resumed = GradientOptimizer.adam(learningRate: 0.01)
        resumed.checkpointState = optimizer.checkpointState   // a dictionary: no order to rely on
        step(&model, &optimizer)
        step(&resumedModel, &resumed)
        #expect(resumedModel.namedParameters.map { $0.parameter.value } == model.namedParameters.map { $0.parameter.value })
        #expect(resumed.state == optimizer.state && resumed.state.count == 4)
    }
}
