import NNCore
import NNIO
import NNOptimizers

/// What a callback may do to the run it watches: take and put back the model's parameters,
/// change the optimiser's learning rates, save the model. ``Trainer`` conforms.
public protocol TrainingControl {
    /// A copy of every tensor of the model (trainable parameters and statistics such as batch
    /// normalisation's running means), named as in a model file, in the model's precision.
    func parameterSnapshot() -> [String: StoredTensor]

    /// Puts back a snapshot of this model: afterwards the model's tensors are bit-identical to
    /// the snapshot's.
    /// - Throws: ``/NNIO/ModelFileError`` if the snapshot does not fit the model (a name missing or
    ///   unexpected, a shape or precision that differs); nothing changes then.
    mutating func restoreParameters(_ snapshot: [String: StoredTensor]) throws(ModelFileError)

    /// The optimiser's learning rates (see `Optimizer.learningRates`): empty when it has none.
    var learningRates: [Double] { get set }

    /// The model's outputs for a batch of inputs, in inference mode (the model itself is not
    /// changed), converted to and from the model's precision.
    /// - Parameters:
    ///   - inputs: the samples' features, one sample after another.
    ///   - sampleShape: the shape of one sample (`[1]` for one feature).
    /// - Throws: `TensorError` if the inputs do not fill whole samples of that shape or the
    ///   model does not take them.
    func predict(_ inputs: [Double], sampleShape: [Int]) throws(TensorError) -> [Double]

    /// Saves the model as a model file, atomically.
    /// - Parameters:
    ///   - path: where to write.
    ///   - metadata: entries added to the file's metadata (input shape, class names).
    /// - Throws: ``/NNIO/ModelFileError`` if a layer cannot be described or the file cannot be written.
    func saveModel(to path: String, metadata: [String: String]) throws(ModelFileError)
}

extension Trainer: TrainingControl {
    public func parameterSnapshot() -> [String: StoredTensor] {
        ModelFile.tensors(of: model)
    }

    public mutating func restoreParameters(_ snapshot: [String: StoredTensor]) throws(ModelFileError) {
        var tensors: [String: Tensor<Model.Scalar>] = [:]
        for (name, stored) in snapshot {
            tensors[name] = try stored.tensor(as: Model.Scalar.self, name: name, path: "(snapshot)")
        }
        var restored = model
        do { try restored.loadStateDictionary(tensors) } catch { throw .mismatch(path: "(snapshot)", reason: "\(error)") }
        model = restored
    }

    public var learningRates: [Double] {
        get { optimizer.learningRates }
        set { optimizer.learningRates = newValue }
    }

    public func predict(_ inputs: [Double], sampleShape: [Int]) throws(TensorError) -> [Double] {
        let width = sampleShape.reduce(1, *)
        guard width > 0, inputs.count % width == 0 else {
            throw .shapeMismatch(context: "predict inputs", expected: [-1] + sampleShape, actual: [inputs.count])
        }
        _ = try model.outputShape(forInputShape: sampleShape)
        let batch = try Tensor<Model.Scalar>(shape: [inputs.count / width] + sampleShape, scalars: inputs.map { Model.Scalar($0) })
        var model = self.model
        model.setMode(.inference)
        return model(batch).scalars.map { Double($0) }
    }

    public func saveModel(to path: String, metadata: [String: String]) throws(ModelFileError) {
        var model = self.model
        model.setMode(.inference)
        try ModelFile.save(model, to: path, metadata: metadata)
    }
}
