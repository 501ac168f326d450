/// How per-element losses `ℓ[b, k]` (sample `b`, output `k`, `B` samples, `K` outputs each)
/// become one number. Classic texts differ, so the choice is always explicit.
public enum Reduction: String, Sendable, Codable, CaseIterable {
    /// `Σ_b Σ_k ℓ[b, k]`, e.g. the 2-2-2 example's `E = Σ ½(target − out)²`.
    case sum
    /// `Σ_b Σ_k ℓ[b, k] / (B·K)`: the mean over every element, as PyTorch's and Keras's `mean`.
    case mean
    /// `Σ_b Σ_k ℓ[b, k] / B`: each sample's summed loss, averaged over the batch.
    case meanOverBatch

    /// The number of element losses a mean averages (without the floor of one that
    /// ``divisor(batch:elementsPerSample:)`` keeps for an empty batch), or `nil` for a sum.
    func averagedCount(batch: Int, elementsPerSample: Int) -> Int? {
        switch self {
        case .sum: return nil
        case .mean: return batch * elementsPerSample
        case .meanOverBatch: return batch
        }
    }

    /// The number the sum of all element losses is divided by.
    func divisor(batch: Int, elementsPerSample: Int) -> Int {
        switch self {
        case .sum: return 1
        case .mean: return Swift.max(batch * elementsPerSample, 1)
        case .meanOverBatch: return Swift.max(batch, 1)
        }
    }
}
