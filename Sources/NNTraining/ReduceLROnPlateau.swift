/// Lowers the learning rate when a watched value stops improving (Keras's
/// `ReduceLROnPlateau`).
///
/// ```swift
/// ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2)
/// ```
///
/// Keras's rule, after every epoch: in a cooldown, the cooldown count goes down by one and
/// the wait count is set to 0. Then, if the value is better than the best so far by more
/// than ``minDelta``, it becomes the best and the wait count is set to 0; otherwise, out of
/// a cooldown, the wait count goes up by one, and when it reaches ``patience`` every learning
/// rate above ``minLR`` becomes `max(rate · factor, minLR)`, the cooldown count is set to
/// ``cooldown`` and the wait count to 0. The new rates apply from the next epoch. The state
/// (best, wait and cooldown counts) is saved in checkpoints, and the learning rates with
/// the optimiser's, so that a resumed run lowers them when an uninterrupted one would.
public struct ReduceLROnPlateau: TrainingCallback {
    /// The record value watched (see ``EpochRecord/value(named:)``).
    public var monitor: String
    /// Which way the value improves.
    public var mode: MonitorMode
    /// What a learning rate is multiplied by, in (0, 1).
    public var factor: Double
    /// Epochs without improvement before the rates are lowered.
    public var patience: Int
    /// Epochs after a reduction during which the wait count does not grow.
    public var cooldown: Int
    /// No rate is lowered below this.
    public var minLR: Double
    /// The smallest change that counts as an improvement.
    public var minDelta: Double

    /// The best value watched so far.
    public private(set) var best: Double
    /// Epochs since the last improvement (or reduction).
    public private(set) var wait = 0
    /// Epochs left in the cooldown.
    public private(set) var cooldownCounter = 0
    /// Reductions made so far.
    public private(set) var reductions = 0

    /// Creates the callback with Keras's defaults.
    /// - Parameters:
    ///   - monitor: the record value watched.
    ///   - factor: what a learning rate is multiplied by, in (0, 1).
    ///   - patience: epochs without improvement before the rates are lowered.
    ///   - mode: which way the value improves; inferred from the name if `nil`.
    ///   - minDelta: the smallest change that counts as an improvement.
    ///   - cooldown: epochs after a reduction during which the wait count does not grow.
    ///   - minLR: no rate is lowered below this.
    public init(
        monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, mode: MonitorMode? = nil,
        minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0
    ) {
        precondition(factor > 0 && factor < 1, "ReduceLROnPlateau: the factor must be in (0, 1)")
        precondition(patience >= 0 && cooldown >= 0, "ReduceLROnPlateau: patience and cooldown must not be negative")
        precondition(minLR >= 0 && minLR.isFinite && minDelta.isFinite, "ReduceLROnPlateau: minLR and minDelta must be finite, minLR ≥ 0")
        self.monitor = monitor
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
        (self.factor, self.patience, self.cooldown, self.minLR, self.minDelta) = (factor, patience, cooldown, minLR, minDelta)
        self.best = self.mode.worst
    }

    public var monitoredName: String? { monitor }

    public mutating func epochEnded(
        _ record: EpochRecord, history: TrainingHistory, totalEpochs: Int, control: inout some TrainingControl
    ) throws(TrainingError) -> TrainingDecision {
        guard let current = record.value(named: monitor) else { return .continue }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if mode.improves(current, on: best, minDelta: minDelta) {
            best = current
            wait = 0
        } else if cooldownCounter == 0 {
            wait += 1
            if wait >= patience {
                // Keras compares with the minimum in single precision, so that a rate that
                // was set to it is not lowered again by rounding.
                let floor = Double(Float(minLR))
                let rates = control.learningRates
                if rates.contains(where: { $0 > floor }) {
                    control.learningRates = rates.map { $0 > floor ? Swift.max($0 * factor, minLR) : $0 }
                    reductions += 1
                    cooldownCounter = cooldown
                    wait = 0
                }
            }
        }
        return .continue
    }

    public var checkpointState: CallbackState? {
        CallbackState(
            identity: "\(monitor) \(mode.rawValue)",
            values: ["best": best, "wait": Double(wait), "cooldown_counter": Double(cooldownCounter), "reductions": Double(reductions)])
    }

    public mutating func restore(_ state: CallbackState) throws(CallbackStateError) {
        let best = try state.value("best")
        guard !best.isNaN else { throw CallbackStateError("'best' is NaN") }
        let (wait, cooldownCounter, reductions) = (try state.count("wait"), try state.count("cooldown_counter"), try state.count("reductions"))
        (self.best, self.wait, self.cooldownCounter, self.reductions) = (best, wait, cooldownCounter, reductions)
    }
}
