import NNIO

/// What a callback keeps across epochs, as a checkpoint stores it: numbers by name (a best
/// value, a count of epochs waited) and, for a callback that keeps the best epoch's model, a
/// parameter snapshot (see ``TrainingControl/parameterSnapshot()``).
///
/// A checkpoint writes the numbers exactly (infinities and NaN included) and the snapshot
/// as tensors under `callbacks/<key>/`, where the key is the callback's type name and its
/// position among the callbacks of that type (`EarlyStopping#0`).
public struct CallbackState: Sendable, Equatable {
    /// What the state is about, in words (`"val_loss min, patience"`): a checkpoint restores
    /// a state only into a callback whose state has the same identity, so that a best loss
    /// never becomes the best of an accuracy when the options of a resumed run differ.
    public var identity: String
    /// Numbers by name.
    public var values: [String: Double]
    /// Parameters kept, if any.
    public var snapshot: [String: StoredTensor]?

    /// Creates a state.
    /// - Parameters:
    ///   - identity: what the state is about (see ``identity``).
    ///   - values: numbers by name.
    ///   - snapshot: parameters kept, if any.
    public init(identity: String = "", values: [String: Double] = [:], snapshot: [String: StoredTensor]? = nil) {
        self.identity = identity
        self.values = values
        self.snapshot = snapshot
    }

    /// The number named `name`.
    /// - Throws: ``CallbackStateError`` if there is none.
    public func value(_ name: String) throws(CallbackStateError) -> Double {
        guard let value = values[name] else { throw CallbackStateError("the state has no '\(name)'") }
        return value
    }

    /// The number named `name` as a count (a whole number in 0...2⁵³).
    /// - Throws: ``CallbackStateError`` if there is none or it is not a count.
    public func count(_ name: String) throws(CallbackStateError) -> Int {
        let value = try value(name)
        guard value >= 0, value <= 9_007_199_254_740_992, value.rounded() == value else {
            throw CallbackStateError("'\(name)' is \(value), not a count")
        }
        return Int(value)
    }
}

/// Why a callback's state from a checkpoint cannot be taken back.
public struct CallbackStateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What does not fit, in one line.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
