/// Which way a watched value improves.
public enum MonitorMode: String, Sendable, Equatable, CaseIterable {
    /// Lower is better (a loss, an error).
    case min
    /// Higher is better (an accuracy).
    case max

    /// The mode for a value named `name` when none is given: names that contain `loss` go
    /// down, every other name goes up (`val_loss` → ``min``, `accuracy` → ``max``).
    public static func inferred(for name: String) -> MonitorMode {
        name.contains("loss") ? .min : .max
    }

    /// Whether `value` improves on `reference` by more than `minDelta` (a distance, its sign
    /// ignored): `value < reference − |minDelta|` for ``min``. A NaN never improves.
    /// - Parameters:
    ///   - value: the new value.
    ///   - reference: the value to beat.
    ///   - minDelta: how much it must be beaten by.
    public func improves(_ value: Double, on reference: Double, minDelta: Double = 0) -> Bool {
        self == .min ? value < reference - abs(minDelta) : value > reference + abs(minDelta)
    }

    /// The value every finite value improves on: +∞ for ``min``, −∞ for ``max``.
    public var worst: Double { self == .min ? .infinity : -.infinity }
}
