import CNNKernels

// tanh for Float buffers: the C kernel `nn_tanh_f32`, compiled for each instruction set.
//
// libm's `tanhf` is a call per element with branches on the argument's size; in the sin
// lesson's per-sample steps it took a sixth of the time (perf, 2026-11-23). The kernel is
// branch-free: an odd Taylor polynomial where |x| < ½ (where (e−1)/(e+1) would lose bits to
// cancellation), and (e−1)/(e+1) with e = exp(2|x|) elsewhere, the sign copied back at the
// end. Its error against a Double reference is within 2 ulp (VectorTanhTests measures it).
// It was Swift SIMD8 code until 2026-12-04, which the package's baseline target runs as two
// SSE halves; the C kernel performs the same operations in the same order (the same bits,
// checked over a million inputs when it was written) in one AVX2 or AVX-512 register.

extension Kernels {
    /// Writes `tanh(input[i])` into `output[i]` (within 2 ulp of the exact value; NaN stays NaN).
    /// - Parameters:
    ///   - input: the values.
    ///   - output: as many values, written; may be `input`'s memory.
    ///   - set: the instruction set to run (tests try each the CPU has).
    static func tanh(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>, set: NNInstructionSet = instructionSet
    ) {
        precondition(input.count == output.count, "Kernels.tanh: \(input.count) inputs, \(output.count) outputs")
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        nn_tanh_f32(set, x, y, input.count)
    }
}
