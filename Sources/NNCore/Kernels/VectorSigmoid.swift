import CNNKernels

// The logistic sigmoid for Float buffers, for the gates of the recurrent layers (where it runs
// on three of every four gate values of an LSTM): the C kernel `nn_sigmoid_f32`.
//
// σ(x) = E/(E + 1) for x ≥ 0 and 1/(E + 1) for x < 0, with E = exp(|x|) from the same
// branch-free exp as the tanh kernel: no cancellation on either side, so the result is within
// 3 ulp of the exact value (VectorTanhTests measures it). |x| is clamped at 20, where σ is 1
// in Float and below 2.1e-9 on the other side.

extension Kernels {
    /// Writes `σ(input[i])` into `output[i]` (which may be `input`); NaN stays NaN.
    /// - Parameters:
    ///   - input: the values.
    ///   - output: `count` values, written.
    ///   - count: the number of values.
    ///   - set: the instruction set to run (tests try each the CPU has).
    static func sigmoid(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int, set: NNInstructionSet = instructionSet
    ) {
        guard count > 0 else { return }
        nn_sigmoid_f32(set, input, output, count)
    }
}
