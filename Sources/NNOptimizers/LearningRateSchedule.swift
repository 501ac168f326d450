import Foundation

/// How the learning rate changes with the optimiser's step count `s` (0 for the first
/// update): each case gives a multiplier of the base (or group) learning rate.
public indirect enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// Always 1.
    case constant
    /// `factor^⌊s / interval⌋`: multiply by `factor` every `interval` steps.
    case stepDecay(interval: Int, factor: Double)
    /// `factor^s`.
    case exponential(factor: Double)
    /// Cosine annealing from 1 down to `minimum` over `steps` steps, then `minimum`:
    /// `minimum + (1 − minimum)·(1 + cos(π·s/steps))/2`.
    case cosine(steps: Int, minimum: Double)
    /// Linear warm-up, `(s + 1)/steps` for the first `steps` steps, then `then` (counted from
    /// the end of the warm-up).
    case warmup(steps: Int, then: LearningRateSchedule)

    /// The multiplier at step `s`.
    public func multiplier(atStep s: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case .stepDecay(let interval, let factor):
            return pow(factor, Double(s / Swift.max(interval, 1)))
        case .exponential(let factor):
            return pow(factor, Double(s))
        case .cosine(let steps, let minimum):
            let progress = Double(Swift.min(s, steps)) / Double(Swift.max(steps, 1))
            return minimum + (1 - minimum) * (1 + cos(Double.pi * progress)) / 2
        case .warmup(let steps, let then):
            return s < steps ? Double(s + 1) / Double(steps) : then.multiplier(atStep: s - steps)
        }
    }
}
