/// Whether a layer is being trained or used for prediction.
///
/// Layers such as ``Dropout`` and ``BatchNorm`` behave differently in the two modes (dropout
/// drops units only while training; batch normalisation uses the batch's statistics while
/// training and its running statistics otherwise); most layers ignore the mode. Both
/// ``Layer/forward(_:)`` and ``Layer/callAsFunction(_:)`` honour it, so a finite-difference
/// check sees the same function as backpropagation.
///
/// As in PyTorch, layers start in training mode. `Trainer.fit` trains in training mode and
/// leaves the model in inference mode; `Trainer.evaluate` and `nn predict` use inference mode.
public enum LayerMode: String, Sendable, Codable {
    /// Training: dropout drops, batch normalisation uses and records batch statistics.
    case training
    /// Prediction: dropout passes everything through, batch normalisation uses its running statistics.
    case inference
}
