import CNNKernels

/// The im2col rows of a single-precision convolution, read from a zero-padded copy of its
/// input instead of being written out ("implicit GEMM").
///
/// With a border of zeros around each image, every window's values are `windowHeight` runs
/// of `windowWidth · channels` adjacent values, one row of the padded image apart, and every
/// row of im2col starts at an offset computed from its window's position. The forward product
/// (`rows · weight`) reads the rows there with `nn_sgemm_micro_windows`, and the weight
/// gradient (`rowsᵀ · δ`) packs them from there with `nn_sgemm_pack_a_windows`. For the
/// README's CNN the padded input of its second convolution is 2.1 MB a batch, its rows
/// 14.5 MB: the rows were written once and read twice from memory, the padded images stay in
/// the caches. Both products keep the blocking and the kernels of the written-out rows, so
/// they give the same bits.
struct PaddedWindows: Sendable {
    /// Where the windows fall on the unpadded images.
    let geometry: WindowGeometry
    /// Images in the batch.
    let samples: Int
    /// Columns of the weight (the products' output columns).
    let filters: Int
    /// Rows and columns of one padded image.
    let paddedHeight: Int, paddedWidth: Int
    /// Values of one padded image.
    let paddedSize: Int

    /// The windows of `samples` images, or `nil` when they are better written out: the scalar
    /// is not `Float`, a window's row of pixels is too short to repay the runs (fewer than
    /// ``shortestRun`` values), the weight is too wide to pack once, either product is one the
    /// unpacked kernel takes, the padded images would be larger than the rows, or the packed
    /// weight larger than both the rows and the product's own packing block.
    /// - Parameters:
    ///   - geometry: where the windows fall.
    ///   - samples: images in the batch.
    ///   - filters: columns of the weight.
    ///   - scalar: the layer's scalar type.
    init?<Scalar: TensorScalar>(geometry: WindowGeometry, samples: Int, filters: Int, scalar: Scalar.Type) {
        // The written-out rows take the packed product only from 4 rows of C and
        // `packingThreshold` multiply-adds up (below, the unpacked kernel, whose sums are in
        // another order): 4 rows of C for the forward product, 4 values a window for dW.
        guard scalar == Float.self, samples > 0, filters > 0, geometry.windowWidth * geometry.channels >= Self.shortestRun,
            geometry.windowSize >= 4, Kernels.packedRightOperandCount(k: geometry.windowSize, n: filters) != nil,
            let rows = TensorLimits.checkedProduct([samples, geometry.positions]), rows >= 4,
            let rowValues = TensorLimits.checkedProduct([rows, geometry.windowSize]),
            let multiplyAdds = TensorLimits.checkedProduct([rowValues, filters]), multiplyAdds >= Kernels.packingThreshold,
            // The whole weight is packed at once, its columns padded to whole tiles (32 at most):
            // no larger than the rows, or than the packing block of the product on the rows.
            geometry.windowSize * ((filters + 31) / 32 * 32) <= Swift.max(rowValues, Kernels.depthBlock * Kernels.columnBlock)
        else { return nil }
        // Wide enough for every window, and for the whole image (so that the copy is one pass).
        let height = Swift.max(geometry.padTop + geometry.inputHeight, (geometry.outputHeight - 1) * geometry.stride + geometry.windowHeight)
        let width = Swift.max(geometry.padLeft + geometry.inputWidth, (geometry.outputWidth - 1) * geometry.stride + geometry.windowWidth)
        guard let size = TensorLimits.checkedProduct([height, width, geometry.channels]), size <= geometry.positions * geometry.windowSize,
            let total = TensorLimits.checkedProduct([size, samples]), total <= TensorLimits.maximumScalarCount
        else { return nil }
        (self.geometry, self.samples, self.filters, paddedHeight, paddedWidth, paddedSize) = (geometry, samples, filters, height, width, size)
    }

    /// Below this many values in a window's row of pixels, the rows are written out. (The
    /// README CNN's first convolution, 3×3 over one channel, runs of 3, trains 5% faster
    /// through the windows: `NNBenchmark cnn --threads 1 --samples 6000`, three alternating
    /// runs, 2026-12-07.)
    static let shortestRun = 3

    /// Rows of im2col: one per window position of every image.
    var rowCount: Int { samples * geometry.positions }
    /// Adjacent values in a window's row of pixels.
    var runLength: Int { geometry.windowWidth * geometry.channels }
    /// Values between the starts of a window's rows of pixels.
    var runStride: Int { paddedWidth * geometry.channels }
    /// Values in the padded batch.
    var paddedCount: Int { samples * paddedSize }

    /// The offset in the padded batch of the first value of im2col row `row`.
    @inline(__always)
    func offset(ofRow row: Int) -> Int {
        let (sample, position) = row.quotientAndRemainder(dividingBy: geometry.positions)
        let (y, x) = position.quotientAndRemainder(dividingBy: geometry.outputWidth)
        return sample * paddedSize + (y * geometry.stride * paddedWidth + x * geometry.stride) * geometry.channels
    }

    /// The offset, from the start of its row, of value `index` of an im2col row.
    @inline(__always)
    func offset(ofColumn index: Int) -> Int {
        let (run, within) = index.quotientAndRemainder(dividingBy: runLength)
        return run * runStride + within
    }

    /// Copies the images `input` (`samples` of them, unpadded) into `padded`, with zeros in
    /// the border.
    @_specialize(where Scalar == Float)
    func pad<Scalar: TensorScalar>(_ input: UnsafeBufferPointer<Scalar>, into padded: UnsafeMutableBufferPointer<Scalar>) {
        precondition(
            input.count == samples * geometry.inputSize && padded.count == paddedCount,
            "PaddedWindows.pad: buffer sizes do not fit \(geometry)")
        let (source, target) = (input.baseAddress!, padded.baseAddress!)
        let (channels, inputWidth, rowValues) = (geometry.channels, geometry.inputWidth, geometry.inputWidth * geometry.channels)
        let (top, left) = (geometry.padTop, geometry.padLeft)
        geometry.forEachSampleBlock(samples, valuesPerSample: paddedSize, threads: KernelThreads.count) { block in
            for sample in block {
                let image = source + sample * geometry.inputSize, copy = target + sample * paddedSize
                copy.update(repeating: 0, count: top * paddedWidth * channels)
                for y in 0..<geometry.inputHeight {
                    let row = copy + ((top + y) * paddedWidth) * channels
                    row.update(repeating: 0, count: left * channels)
                    (row + left * channels).update(from: image + y * rowValues, count: rowValues)
                    let end = (left + inputWidth) * channels
                    (row + end).update(repeating: 0, count: paddedWidth * channels - end)
                }
                let below = (top + geometry.inputHeight) * paddedWidth * channels
                (copy + below).update(repeating: 0, count: paddedSize - below)
            }
        }
    }

    /// `c = rows · weight + bias`, rows `rowCount × windowSize` read from `padded`, `weight`
    /// `windowSize × filters`, `c` `rowCount × filters`: the bits of the packed product on the
    /// written-out rows.
    /// - Parameters:
    ///   - padded: the padded batch (``pad(_:into:)``).
    ///   - weight: the kernels, row-major.
    ///   - bias: added to every row of `c`, or `nil`.
    ///   - c: receives the product.
    ///   - threads: the most threads to use.
    ///   - set: the micro-kernels to use.
    func multiply(
        _ padded: UnsafePointer<Float>, by weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into c: UnsafeMutablePointer<Float>, threads: Int = KernelThreads.count, set: NNInstructionSet = Kernels.instructionSet
    ) {
        let (m, n, k) = (rowCount, filters, geometry.windowSize)
        let tile = nn_sgemm_tile(set)
        let (mr, nr) = (Int(tile.rows), Int(tile.columns))
        let paddedColumns = (n + nr - 1) / nr * nr
        let (runLength, runGap) = (runLength, runStride - runLength)
        PackingScratch.withScratch { scratch in
            // The whole weight, packed once, slab after slab (`init` bounded its size).
            scratch.reserve(a: 0, b: k * paddedColumns)
            Kernels.packRightOperand(weight, transposed: false, k: k, n: n, into: scratch.packedB, set: set)
            let packedB = UnsafePointer(scratch.packedB)
            let parts = Swift.max(1, Swift.min(threads, m * n * k / (Kernels.threadingThreshold / 2)))
            _ = KernelWorkers.shared.run(parts: parts, threads: parts) { part in
                let rows = PackedProductPart.share(part, of: parts, length: m, step: mr)
                withUnsafeTemporaryAllocation(of: Int.self, capacity: Kernels.rowBlock) { offsets in
                    for pc in stride(from: 0, to: k, by: Kernels.depthBlock) {
                        let kc = Swift.min(Kernels.depthBlock, k - pc)
                        let (slab, lastSlab) = (packedB + pc * paddedColumns, pc + kc == k)
                        let (columnOffset, run) = (offset(ofColumn: pc), runLength - pc % runLength)
                        for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: Kernels.rowBlock) {
                            let mc = Swift.min(Kernels.rowBlock, rows.upperBound - ic)
                            for i in 0..<mc { offsets[i] = offset(ofRow: ic + i) + columnOffset }
                            for jr in stride(from: 0, to: n, by: nr) {
                                for ir in stride(from: 0, to: mc, by: mr) {
                                    nn_sgemm_micro_windows(
                                        set, Int32(kc), padded, offsets.baseAddress! + ir, Int32(run), Int32(runLength), runGap,
                                        slab + jr * kc, c + (ic + ir) * n + jr, n, Int32(Swift.min(mr, mc - ir)),
                                        Int32(Swift.min(nr, n - jr)), pc == 0 ? 1 : 0, lastSlab ? bias.map { $0 + jr } : nil)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `weightGradient += rowsᵀ · delta`, rows read from `padded`, `delta` `rowCount ×
    /// filters`, `weightGradient` `windowSize × filters`: the bits of the packed product on
    /// the written-out rows.
    /// - Parameters:
    ///   - padded: the padded batch (``pad(_:into:)``).
    ///   - delta: dLoss/dPreActivation, row-major, `filters` columns.
    ///   - weightGradient: the sums are added to it.
    ///   - threads: the most threads to use.
    ///   - set: the micro-kernels to use.
    func accumulateWeightGradient(
        _ padded: UnsafePointer<Float>, delta: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>,
        threads: Int = KernelThreads.count, set: NNInstructionSet = Kernels.instructionSet
    ) {
        let (m, n, k) = (geometry.windowSize, filters, rowCount)
        let tile = nn_sgemm_tile(set)
        let (mr, nr) = (Int(tile.rows), Int(tile.columns))
        let kcMax = Swift.min(Kernels.depthBlock, k)
        let (runLength, runStride) = (Int32(runLength), runStride)
        // Each part takes some rows of the gradient (window values) and the whole depth.
        let parts = Swift.max(1, Swift.min(threads, (m + mr - 1) / mr, m * n * k / (Kernels.threadingThreshold / 2)))
        _ = KernelWorkers.shared.run(parts: parts, threads: parts) { part in
            let rows = PackedProductPart.share(part, of: parts, length: m, step: mr)
            let mcMax = Swift.min(Kernels.rowBlock, (rows.count + mr - 1) / mr * mr)
            PackingScratch.withScratch { scratch in
                scratch.reserve(a: mcMax * kcMax, b: kcMax * ((n + nr - 1) / nr * nr))
                withUnsafeTemporaryAllocation(of: Int.self, capacity: kcMax) { positions in
                    for pc in stride(from: 0, to: k, by: Kernels.depthBlock) {
                        let kc = Swift.min(Kernels.depthBlock, k - pc)
                        for p in 0..<kc { positions[p] = offset(ofRow: pc + p) }
                        nn_sgemm_pack_b(set, delta + pc * n, n, 1, Int32(kc), Int32(n), scratch.packedB)
                        for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: Kernels.rowBlock) {
                            let mc = Swift.min(Kernels.rowBlock, rows.upperBound - ic)
                            nn_sgemm_pack_a_windows(
                                set, padded, positions.baseAddress!, Int32(kc), Int32(ic), Int32(mc), runLength, runStride,
                                scratch.packedA)
                            for jr in stride(from: 0, to: n, by: nr) {
                                for ir in stride(from: 0, to: mc, by: mr) {
                                    nn_sgemm_micro(
                                        set, Int32(kc), scratch.packedA + ir * kc, scratch.packedB + jr * kc,
                                        weightGradient + (ic + ir) * n + jr, n, Int32(Swift.min(mr, mc - ir)),
                                        Int32(Swift.min(nr, n - jr)), 0, nil)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension PaddedWindows {
    /// ``multiply(_:by:bias:into:threads:set:)`` on tensors, which must be single precision:
    /// `result` (`rowCount × filters` values, in any shape) receives `rows · weight + bias`.
    /// - Parameters:
    ///   - padded: the padded batch.
    ///   - weight: `[windowSize, filters]`.
    ///   - bias: `[filters]`, or `nil`.
    ///   - result: receives the product.
    @_specialize(where Scalar == Float)
    func multiply<Scalar: TensorScalar>(
        _ padded: Tensor<Scalar>, by weight: Tensor<Scalar>, bias: Tensor<Scalar>?, into result: inout Tensor<Scalar>
    ) {
        precondition(
            padded.scalarCount == paddedCount && weight.shape == [geometry.windowSize, filters]
                && (bias.map { $0.scalarCount == filters } ?? true) && result.scalarCount == rowCount * filters,
            "PaddedWindows.multiply: the tensors do not fit \(geometry) and \(filters) filters")
        Self.withFloats(padded) { image in
            Self.withFloats(weight) { w in
                result.withUnsafeMutableBufferPointer { c in
                    c.withMemoryRebound(to: Float.self) { c in
                        if let bias {
                            Self.withFloats(bias) { b in multiply(image, by: w, bias: b, into: c.baseAddress!) }
                        } else {
                            multiply(image, by: w, bias: nil, into: c.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// ``accumulateWeightGradient(_:delta:into:threads:set:)`` on tensors, which must be single
    /// precision.
    /// - Parameters:
    ///   - padded: the padded batch.
    ///   - delta: dLoss/dPreActivation, `rowCount × filters` values.
    ///   - gradient: `[windowSize, filters]`; the sums are added to it.
    @_specialize(where Scalar == Float)
    func accumulateWeightGradient<Scalar: TensorScalar>(
        _ padded: Tensor<Scalar>, delta: UnsafeBufferPointer<Scalar>, into gradient: inout Tensor<Scalar>
    ) {
        precondition(
            padded.scalarCount == paddedCount && delta.count == rowCount * filters && gradient.shape == [geometry.windowSize, filters],
            "PaddedWindows.accumulateWeightGradient: the tensors do not fit \(geometry) and \(filters) filters")
        Self.withFloats(padded) { image in
            delta.withMemoryRebound(to: Float.self) { d in
                gradient.withUnsafeMutableBufferPointer { dW in
                    dW.withMemoryRebound(to: Float.self) { dW in
                        accumulateWeightGradient(image, delta: d.baseAddress!, into: dW.baseAddress!)
                    }
                }
            }
        }
    }

    /// Runs `body` on the values of `tensor`, which must be single precision.
    private static func withFloats<Scalar: TensorScalar, R>(_ tensor: Tensor<Scalar>, _ body: (UnsafePointer<Float>) -> R) -> R {
        precondition(Scalar.self == Float.self, "PaddedWindows: the windows of padded images are single precision")
        return tensor.withUnsafeBufferPointer { values in values.withMemoryRebound(to: Float.self) { body($0.baseAddress!) } }
    }
}
