import NNCore
import NNData
import NNLosses
import NNOptimizers
import NNTraining
import Testing

/// The trainer switches layers between training and inference mode.
@Suite struct LayerModeTests {
    @Test func fitTrainsInTrainingModeAndLeavesInferenceMode() throws {
        var generator = SeededRandomGenerator(seed: 1)
        let model = Sequential<Double>(
            Dense<Double, Tanh>(inputSize: 2, outputSize: 8, activation: Tanh(), generator: &generator),
            Dropout(rate: 0.5, seed: 2),
            Dense<Double, Identity>(inputSize: 8, outputSize: 1, activation: Identity(), generator: &generator))
        let data = try InMemoryDataset(
            features: Tensor<Double>([[0, 1], [1, 0], [1, 1], [0, 0]]), targets: Tensor<Double>([[1], [1], [0], [0]]))
        var trainer = Trainer(
            model: model, loss: MeanSquaredError(), optimizer: .gradientDescent(learningRate: 0.1),
            schedule: ShuffledBatches(size: 2), seed: 3)
        try trainer.fit(data, epochs: 3)
        let dropout = try #require(trainer.model.layers[1] as? Dropout<Double>)
        #expect(dropout.drawCount == 6)   // one mask per training step: dropout was on
        #expect(dropout.mode == .inference)   // and is off after fit
        // evaluate scores in inference mode: its loss is the loss of the plain forward pass.
        let prediction = trainer.model(data.batch(Array(0..<4)).features)
        let expected = try MeanSquaredError().value(prediction: prediction, target: data.batch(Array(0..<4)).targets)
        #expect(abs(try trainer.evaluate(data).loss - Double(expected)) < 1e-12)
        // Even when the trainer's model was switched back to training by hand.
        trainer.model.setMode(.training)
        #expect(abs(try trainer.evaluate(data).loss - Double(expected)) < 1e-12)
    }
}
