extension WindowGeometry {
    /// The input gradient of a convolution with stride 1 is itself a convolution with stride
    /// 1: of the output gradient (`filters` channels), padded with `windowHeight − 1 − padTop`
    /// rows above and `windowWidth − 1 − padLeft` columns on the left, by the kernels turned
    /// half a turn with their channels and filters swapped (``turnKernels(_:into:filters:)``),
    /// one window per input pixel. This is that convolution's geometry, or `nil` when the
    /// stride is not 1 or the padding is as wide as the window (some windows of the forward
    /// lie wholly in the padding, and the gradient's padding would be negative).
    /// - Parameter filters: the convolution's filters (the gradient's channels).
    func inputGradientGeometry(filters: Int) -> WindowGeometry? {
        guard stride == 1, padTop < windowHeight, padLeft < windowWidth, filters > 0 else { return nil }
        return try? WindowGeometry(inputGradientOf: self, filters: filters)
    }

    /// The geometry of ``inputGradientGeometry(filters:)``, for a `forward` whose stride is 1
    /// and whose padding is narrower than its window.
    /// - Parameters:
    ///   - forward: the convolution's geometry.
    ///   - filters: its filters.
    /// - Throws: `TensorError` when a size is beyond ``TensorLimits``.
    private init(inputGradientOf forward: WindowGeometry, filters: Int) throws(TensorError) {
        (inputHeight, inputWidth, channels) = (forward.outputHeight, forward.outputWidth, filters)
        (windowHeight, windowWidth, stride) = (forward.windowHeight, forward.windowWidth, 1)
        (outputHeight, outputWidth) = (forward.inputHeight, forward.inputWidth)
        (padTop, padLeft) = (forward.windowHeight - 1 - forward.padTop, forward.windowWidth - 1 - forward.padLeft)
        inputSize = try TensorLimits.scalarCount(of: [inputHeight, inputWidth, channels])
        positions = try TensorLimits.scalarCount(of: [outputHeight, outputWidth])
        windowSize = try TensorLimits.scalarCount(of: [windowHeight, windowWidth, channels])
    }

    /// Writes the kernels of ``inputGradientGeometry(filters:)``'s convolution: value
    /// `((ky, kx), f)` of its column `c` is the forward kernels' value `((windowHeight − 1 −
    /// ky, windowWidth − 1 − kx), c)` of column `f`.
    /// - Parameters:
    ///   - weight: the forward kernels, `[windowHeight · windowWidth · channels, filters]`.
    ///   - turned: receives `[windowHeight · windowWidth · filters, channels]`.
    ///   - filters: the forward kernels' columns.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func turnKernels<Scalar: TensorScalar>(_ weight: UnsafeBufferPointer<Scalar>, into turned: UnsafeMutableBufferPointer<Scalar>, filters: Int) {
        let taps = windowHeight * windowWidth
        precondition(
            weight.count == taps * channels * filters && turned.count == weight.count,
            "WindowGeometry.turnKernels: buffer sizes do not fit \(self)")
        for tap in 0..<taps {
            let turnedTap = taps - 1 - tap   // (ky, kx) → (h − 1 − ky, w − 1 − kx)
            for channel in 0..<channels {
                let row = weight.baseAddress! + (tap * channels + channel) * filters
                for filter in 0..<filters { turned[(turnedTap * filters + filter) * channels + channel] = row[filter] }
            }
        }
    }
}
