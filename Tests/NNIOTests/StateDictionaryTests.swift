import NNCore
import NNIO
import Testing

@Suite struct StateDictionaryTests {
    func model(seed: UInt64) -> Sequential<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        return Sequential<Float>(
            Dense<Float, ReLU>(inputSize: 3, outputSize: 4, activation: ReLU(), generator: &generator),
            Dense<Float, Identity>(inputSize: 4, outputSize: 2, activation: Identity(), generator: &generator))
    }

    @Test func roundTripsEveryParameterByName() throws {
        let source = model(seed: 1)
        var destination = model(seed: 2)
        let input = try Tensor<Float>([[0.5, -1, 2]])
        #expect(source(input) != destination(input))
        try destination.loadStateDictionary(source.stateDictionary)
        #expect(source(input) == destination(input))
        #expect(source.stateDictionary.keys.sorted() == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"])
    }

    @Test func errorsNameTheKeyAndChangeNothing() throws {
        var destination = model(seed: 2)
        let before = destination.stateDictionary
        var tensors = model(seed: 1).stateDictionary

        tensors["layers.1.bias"] = nil
        #expect { try destination.loadStateDictionary(tensors) } throws: { error in
            guard case .missingTensor(let name, _) = error as? ParameterLoadError else { return false }
            return name == "layers.1.bias"
        }
        tensors["layers.1.bias"] = Tensor(zeros: [3])
        #expect(throws: ParameterLoadError.shapeMismatch(name: "layers.1.bias", expected: [2], actual: [3])) {
            try destination.loadStateDictionary(tensors)
        }
        tensors["layers.1.bias"] = Tensor(zeros: [2])
        tensors["layers.2.weight"] = Tensor(zeros: [1])
        #expect(throws: ParameterLoadError.unexpectedTensor(name: "layers.2.weight")) {
            try destination.loadStateDictionary(tensors)
        }
        #expect(destination.stateDictionary == before)
    }
}
