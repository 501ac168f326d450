import NNCore

/// ONNX's `pads` of a convolution or pooling window over channels-first images
/// (`[top, left, bottom, right]`), as swift-nn's `Padding` places them: `same` puts the odd
/// row or column after the image, as TensorFlow does.
/// - Parameters:
///   - padding: the layer's padding.
///   - sampleShape: one input sample, `[height, width]` or `[height, width, channels]`.
///   - window: the window's height and width.
///   - stride: the step between windows.
func onnxPads(_ padding: Padding, sampleShape: [Int], window: (height: Int, width: Int), stride: Int) -> [Int] {
    func amounts(_ size: Int, _ window: Int) -> (before: Int, after: Int) {
        switch padding {
        case .valid: return (0, 0)
        case .zeros(let amount): return (amount, amount)
        case .same:
            let output = (size + stride - 1) / stride
            let total = Swift.max((output - 1) * stride + window - size, 0)
            return (total / 2, total - total / 2)
        }
    }
    let (top, bottom) = amounts(sampleShape[0], window.height)
    let (left, right) = amounts(sampleShape[1], window.width)
    return [top, left, bottom, right]
}

extension ONNXGraph {
    /// `input` (`[batch, height, width(, channels)]`, channels-last) as ONNX's
    /// channels-first `[batch, channels, height, width]`; a sample without a channel axis
    /// gains one.
    /// - Parameters:
    ///   - input: the image batch.
    ///   - sampleShape: one sample's shape.
    mutating func channelsFirst(_ input: String, sampleShape: [Int]) -> String {
        var image = input
        if sampleShape.count == 2 { image = node("Unsqueeze", [input, integers("channel_axis", [3])]) }
        return transpose(image, permutation: [0, 3, 1, 2])
    }

    /// `input` `[batch, channels, height, width]` back to channels-last.
    mutating func channelsLast(_ input: String) -> String {
        transpose(input, permutation: [0, 2, 3, 1])
    }
}
