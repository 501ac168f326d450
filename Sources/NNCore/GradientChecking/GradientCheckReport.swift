/// The outcome of a gradient check: how far backpropagation is from finite differences.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// The largest relative error over every checked component:
    /// `|analytic − numeric| / max(|analytic|, |numeric|, floor)`.
    public var worstRelativeError: Double
    /// The largest absolute error `|analytic − numeric|`.
    public var worstAbsoluteError: Double
    /// Where the worst relative error occurred, e.g. `layers.0.weight[3]` or `input[2]`.
    public var worstLocation: String
    /// The number of components compared.
    public var checkedCount: Int

    /// Creates an empty report, to be folded with ``record(analytic:numeric:floor:location:)``.
    public init() {
        worstRelativeError = 0
        worstAbsoluteError = 0
        worstLocation = "(nothing checked)"
        checkedCount = 0
    }

    /// Adds one compared component to the report.
    public mutating func record(analytic: Double, numeric: Double, floor: Double, location: @autoclosure () -> String) {
        let absolute = Swift.abs(analytic - numeric)
        let relative = absolute / Swift.max(Swift.abs(analytic), Swift.abs(numeric), floor)
        checkedCount += 1
        worstAbsoluteError = Swift.max(worstAbsoluteError, absolute)
        // `!(a <= b)` also catches NaN, which must be reported, never hidden.
        if !(relative <= worstRelativeError) {
            worstRelativeError = relative.isNaN ? .infinity : relative
            worstLocation = location()
        }
    }

    public var description: String {
        "worst relative error \(worstRelativeError) at \(worstLocation) (absolute \(worstAbsoluteError), \(checkedCount) components)"
    }
}
