import Foundation
import NN
import Testing

// docc snippet begins
/// A learnable factor per feature, `y = x ⊙ s`: every sample of the batch is multiplied,
/// element by element, by the same vector `s`.
struct FeatureScale<Scalar: TensorScalar>: Layer {
    /// One factor per feature, starting at 1, so that a new layer passes its input through.
    var scale: Parameter<Scalar>
    /// The input of the last `forward`: `backward` needs it for dLoss/ds.
    private var cachedInput: Tensor<Scalar>?

    init(features: Int) {
        precondition(features > 0, "FeatureScale: features must be positive")
        scale = Parameter(Tensor(repeating: 1, shape: [features]))
    }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let features = scale.value.scalarCount
        precondition(input.featureCount == features, "FeatureScale: \(input.featureCount) features, expected \(features)")
        var output = input
        for i in 0..<input.scalarCount {
            output[flat: i] = input[flat: i] * scale.value[flat: i % features]
        }
        return output
    }

    mutating func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        cachedInput = input
        return self(input)
    }

    mutating func backward(_ outputGradient: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let input = cachedInput else { preconditionFailure("FeatureScale.backward called before forward") }
        let features = scale.value.scalarCount
        var inputGradient = outputGradient
        for i in 0..<input.scalarCount {
            let feature = i % features, g = outputGradient[flat: i]
            if scale.isTrainable { scale.gradient[flat: feature] += g * input[flat: i] }   // ∂y/∂s = x, summed over the batch
            inputGradient[flat: i] = g * scale.value[flat: feature]   // ∂y/∂x = s
        }
        return inputGradient
    }

    mutating func visitParameters(_ visit: (_ name: String, _ parameter: inout Parameter<Scalar>) throws -> Void) rethrows {
        try visit("scale", &scale)
    }

    func outputShape(forInputShape inputShape: [Int]) throws(TensorError) -> [Int] {
        guard TensorLimits.checkedProduct(inputShape) == scale.value.scalarCount else {
            throw .shapeMismatch(context: "FeatureScale input", expected: [scale.value.scalarCount], actual: inputShape)
        }
        return inputShape
    }
}
// docc snippet ends

/// The code of the article "Writing a layer" (NNCore's catalog).
@Suite struct WritingALayerTests {
    @Test func theFeatureScaleGradientsMatchFiniteDifferences() throws {
        // docc snippet begins
        var generator = SeededRandomGenerator(seed: 1)
        var layer = FeatureScale<Double>(features: 3)
        layer.scale.value = Tensor([0.5, -1.5, 2])   // not all 1: a backward that forgot a factor s would pass at s = 1
        let input = try Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { _ in generator.nextUniform(in: -2.0, 2.0) })
        let report = GradientCheck.check(layer, input: input)
        print(report)   // the worst relative error, where it occurred, how many components were compared
        // docc snippet ends
        #expect(report.checkedCount == 3 + 4 * 3)
        #expect(report.worstRelativeError < 1e-6, "\(report)")
    }

    @Test func theFeatureScaleLearnsTheFactorsOfItsData() throws {
        // docc snippet begins
        // Targets made from the features with the factors 2, −1 and 0.5: the layer should find them.
        var generator = SeededRandomGenerator(seed: 2)
        let factors: [Float] = [2, -1, 0.5]
        let x = try Tensor<Float>(shape: [64, 3], scalars: (0..<192).map { _ in generator.nextUniform(in: Float(-1), Float(1)) })
        let y = try Tensor<Float>(shape: [64, 3], scalars: x.scalars.enumerated().map { $1 * factors[$0 % 3] })
        let data = try InMemoryDataset(features: x, targets: y)

        var trainer = Trainer(
            model: Sequential<Float>(FeatureScale<Float>(features: 3)), loss: MeanSquaredError(),
            optimizer: .gradientDescent(learningRate: 0.5))
        try trainer.fit(data, epochs: 200)
        let learned = (trainer.model.layers[0] as! FeatureScale<Float>).scale.value.scalars
        print(learned)   // close to [2, -1, 0.5]
        // docc snippet ends
        #expect(learned.count == 3)
        for (value, factor) in zip(learned, factors) {
            #expect(abs(value - factor) < 1e-3, "\(learned)")
        }
    }
}
