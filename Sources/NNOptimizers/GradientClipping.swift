/// How gradients are limited before each update.
public enum GradientClipping: Sendable, Equatable, Codable {
    /// Clamp every gradient element to `[−limit, limit]`.
    case byValue(Double)
    /// If the L2 norm of all trainable gradients together exceeds `maxNorm`, scale them all by
    /// `maxNorm / norm` (PyTorch's `clip_grad_norm_`).
    case byGlobalNorm(Double)
}
