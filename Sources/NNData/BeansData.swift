import NNCore

/// The "beans" linear-regression lesson's synthetic data: bean size `x` → toxicity `y`.
///
/// `count` sizes are drawn uniformly from `[0, 1)` and sorted; then, in that order, each
/// toxicity is `y = 0.7·x + (0.5 − u)/5 + 0.5` with a fresh uniform `u`. Everything is drawn
/// from a ``/NNCore/SeededRandomGenerator`` seeded with `seed`, so the same seed gives the same beans.
public enum BeansData {
    /// The sizes and toxicities, as a data set of `[count, 1]` features and `[count, 1]` targets.
    public static func make<T: TensorScalar>(count: Int, seed: UInt64, as _: T.Type = T.self) -> InMemoryDataset<T> {
        precondition(count > 0, "BeansData: count must be positive")
        var generator = SeededRandomGenerator(seed: seed)
        let sizes = (0..<count).map { _ in generator.nextUniform() }.sorted()
        let toxicities = sizes.map { 0.7 * $0 + (0.5 - generator.nextUniform()) / 5 + 0.5 }
        // Shapes are consistent by construction.
        return try! InMemoryDataset(
            features: Tensor(shape: [count, 1], scalars: sizes.map { T($0) }),
            targets: Tensor(shape: [count, 1], scalars: toxicities.map { T($0) }))
    }
}
