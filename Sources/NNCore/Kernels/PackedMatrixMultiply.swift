import CNNKernels

// The single-precision matrix product: cache blocking and threading in Swift around C
// micro-kernels.
//
// Why C for the innermost loop: a plain `swift build -c release` targets the x86-64
// baseline (SSE2), whose peak here is 98 GFLOP/s against 523 with AVX-512, and SwiftPM
// offers no way to compile one Swift function for AVX-512 without `unsafeFlags`, which
// would stop other packages from depending on ours. Clang's `target` attribute does exactly
// that for C, and the CPU is checked once at run time. The pure-Swift `Kernels.matrixMultiply`
// stays as the reference the tests compare against, and serves `Double`.
//
// The blocking is GotoBLAS's: for each `kc`-deep slab, pack an `nc`-wide block of op(B)
// into column panels (sized for the last-level cache) and an `mc`-tall block of op(A) into
// row panels (sized for L2); then the micro-kernel multiplies one A panel by one B panel,
// a `MR×NR` tile of C held in registers.

extension Kernels {
    /// The instruction set of this CPU's kernels, decided once (the optimisers' C passes use
    /// it too, hence `package`).
    package static let instructionSet: NNInstructionSet = nn_best_instruction_set()

    /// A readable name for `instructionSet`, for benchmarks and `nn` reports.
    static var instructionSetName: String {
        switch instructionSet {
        case NNInstructionSetAVX512: "AVX-512"
        case NNInstructionSetAVX2: "AVX2+FMA"
        default: "baseline"
        }
    }

    /// Depth of a packed slab: a `kc × NR` panel of B stays in the L1 cache.
    static let depthBlock = 384
    /// Rows of A packed at once (a multiple of every `MR`): `mc × kc` stays in L2.
    static let rowBlock = 144
    /// Columns of B packed at once (a multiple of every `NR`): `kc × nc` stays in L3.
    static let columnBlock = 3072

    /// Below this many multiply-adds (`m·n·k`) the product runs unpacked: packing would
    /// cost as much as it saves.
    static let packingThreshold = 32 * 32 * 32
    /// Below this many multiply-adds the product stays on the caller's thread.
    static let threadingThreshold = 1 << 18
    /// The same for unpacked products (one to three rows), which stream B from memory.
    static let unpackedThreadingThreshold = 1 << 16
    /// Up to this many column tiles of B, the packed product reads A where it lies instead of
    /// packing it: each block of A is then used this few times (once per column tile), too
    /// few to repay copying it. (Measured on AVX2: reading in place is faster for B 128 wide
    /// or narrower, level at 256, slower at 512.)
    static let directLeftOperandColumnTiles = 8
    /// With A stored transposed (its rows contiguous, a dW = Xᵀ·δ), reading it in place takes
    /// each depth step from another cache line once the depth stride is this many values or
    /// more: A is then packed whenever B has two column tiles or more. (Measured on AVX2, one
    /// thread: packing is 10–60% faster for 256 to 12,544 rows at 2–8 column tiles, level at
    /// 32–64 rows, and slower for 9 rows, whose depth steps share cache lines.)
    static let transposedLeftOperandPackingStride = 128

    /// Columns the unpacked kernel keeps in registers (eight AVX2 vectors): threads split an
    /// unpacked product's columns at a multiple of it.
    static let unpackedColumnBlock = 64

    /// The instruction sets this CPU can run, baseline first (tests try each).
    static var supportedInstructionSets: [NNInstructionSet] {
        [NNInstructionSetBaseline, NNInstructionSetAVX2, NNInstructionSetAVX512].filter { $0.rawValue <= instructionSet.rawValue }
    }

    /// `C = op(A)·op(B)` (or `C +=` when `accumulate`) in single precision, plus `bias[j]` on
    /// every element of column j when a bias is given, using up to `threads` threads
    /// (`KernelThreads.count` if `nil`, read only for a product large enough to share) and the
    /// micro-kernels for `set`; returns the threads it used. The bias is added to each tile of
    /// C as it is stored after its last depth slab, while it is in registers: the bits are
    /// those of the product followed by a separate pass, without the pass over C.
    @discardableResult
    static func matrixMultiplyFloat(
        _ a: UnsafePointer<Float>, _ transposeA: Bool,
        _ b: UnsafePointer<Float>, _ transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool, bias: UnsafePointer<Float>? = nil,
        packedB: UnsafePointer<Float>? = nil, threads: Int? = nil, set: NNInstructionSet = instructionSet
    ) -> Int {
        guard m > 0, n > 0 else { return 1 }
        // Unpacked below the threshold, and for one to three rows (a single sample's
        // forward pass): packing B would read and write all of it to use each value once.
        // (With B transposed, the unpacked kernel takes one dot product per element.)
        let unpacked = m * n * k < packingThreshold || m < 4
        precondition(
            packedB == nil || (n <= columnBlock && set == instructionSet),
            "matrixMultiplyFloat: a packed B must be packed by packRightOperand for this CPU")
        // The unpacked kernel adds into C; the packed one overwrites C in its first depth
        // slab when not accumulating, which saves a pass over C (for a convolution's dX, as
        // large as its im2col rows).
        if !accumulate && (unpacked || k == 0) { c.update(repeating: 0, count: m * n) }
        guard k > 0 else {
            if let bias { addBias(bias, to: c, rows: m, columns: n, rowStride: n) }
            return 1
        }
        // op(A)(i, p) = a[i·aRow + p·aDepth]; op(B)(p, j) = b[p·bDepth + j·bColumn].
        let (aRow, aDepth) = transposeA ? (1, m) : (k, 1)
        let (bDepth, bColumn) = transposeB ? (1, k) : (n, 1)
        // A product this small (a per-sample step's) runs on the caller's thread unpacked, and
        // its B (under 256 KB) is not streamed: the kernel is called straight away. (Streaming
        // gives the same bits; it would only have been chosen on a CPU with a smaller L2.)
        if unpacked && m * n * k < unpackedThreadingThreshold {
            nn_sgemm_small(set, Int32(m), Int32(n), Int32(k), a, aRow, aDepth, b, bDepth, bColumn, c, n, 0)
            if let bias { addBias(bias, to: c, rows: m, columns: n, rowStride: n) }
            return 1
        }
        let whole = PackedProductPart(
            set: set, a: a, aRow: aRow, aDepth: aDepth, b: b, bDepth: bDepth, bColumn: bColumn,
            c: c, cRow: n, rows: m, columns: n, depth: k, unpacked: unpacked, overwrite: !accumulate, bias: bias,
            packedB: packedB, totalColumns: n)
        // Each thread takes a rectangle of C and runs the whole blocked product on it. An
        // unpacked product reads each value of B once, so its speed is the speed B streams in:
        // splitting its columns between cores lets each keep its share in its own L2 from call
        // to call (a single sample's 784×256 layer: 800 KB, beyond one core's 512 KB).
        let work = unpacked ? unpackedThreadingThreshold / 2 : threadingThreshold / 2
        let threads = threads ?? KernelThreads.count
        let parts = Swift.min(threads, Swift.max(1, m * n * k / work))
        guard parts > 1 else {
            whole.run()   // the common case of a small network's step: no grid to search
            return 1
        }
        let tile = unpacked ? NNTileShape(rows: 1, columns: Int32(unpackedColumnBlock)) : nn_sgemm_tile(set)
        let grid = whole.grid(tile: tile, parts: parts, rowsMayBeSplit: !unpacked)
        guard grid.rows * grid.columns > 1 else {
            whole.run()
            return 1
        }
        return KernelWorkers.shared.run(parts: grid.rows * grid.columns, threads: threads) { index in
            whole.part(index, of: grid, tile: tile).run()
        }
    }
}

extension Kernels {
    /// The values `packRightOperand` writes for a `k × n` op(B), or `nil` when B is too wide
    /// to be packed once (more than ``columnBlock`` columns).
    static func packedRightOperandCount(k: Int, n: Int) -> Int? {
        guard n <= columnBlock else { return nil }
        let nr = Int(nn_sgemm_tile(instructionSet).columns)
        return k * ((n + nr - 1) / nr * nr)
    }

    /// Packs op(B) (`k × n`, at most ``columnBlock`` columns) as the packed product packs it,
    /// every depth slab in turn, so that products with the same B (a recurrent weight, at
    /// every time step) can pass it as `packedB` instead of packing it each time.
    /// - Parameters:
    ///   - b: B's values.
    ///   - transposed: whether B is stored transposed (its columns contiguous).
    ///   - k: op(B)'s rows.
    ///   - n: op(B)'s columns.
    ///   - packed: receives `k` times `n` rounded up to `set`'s tile width values.
    ///   - set: the micro-kernels the panels are for.
    static func packRightOperand(
        _ b: UnsafePointer<Float>, transposed: Bool, k: Int, n: Int, into packed: UnsafeMutablePointer<Float>,
        set: NNInstructionSet = instructionSet
    ) {
        guard n <= columnBlock else { preconditionFailure("packRightOperand: \(n) columns are too many") }
        let nr = Int(nn_sgemm_tile(set).columns)
        let paddedColumns = (n + nr - 1) / nr * nr
        let (bDepth, bColumn) = transposed ? (1, k) : (n, 1)
        for pc in stride(from: 0, to: k, by: depthBlock) {
            let kc = min(depthBlock, k - pc)
            nn_sgemm_pack_b(set, b + pc * bDepth, bDepth, bColumn, Int32(kc), Int32(n), packed + pc * paddedColumns)
        }
    }

    /// Adds `bias[j]` to column j of the `rows × columns` block at `c` (`rowStride` apart).
    static func addBias(_ bias: UnsafePointer<Float>, to c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rowStride: Int) {
        for i in 0..<rows {
            let row = c + i * rowStride
            for j in 0..<columns { row[j] += bias[j] }
        }
    }
}

/// One rectangle of C and the operands that produce it: the unit of work of one thread.
struct PackedProductPart {
    var set: NNInstructionSet
    var a: UnsafePointer<Float>, aRow: Int, aDepth: Int
    var b: UnsafePointer<Float>, bDepth: Int, bColumn: Int
    var c: UnsafeMutablePointer<Float>, cRow: Int
    var rows: Int, columns: Int, depth: Int
    /// Whether to run the unpacked kernel (for products too small or too flat to repay packing).
    var unpacked = false
    /// Whether the first depth slab writes C instead of adding to it (packed kernel only).
    var overwrite = false
    /// Added to every row of C after the product (its first value is column 0 of this part's C).
    var bias: UnsafePointer<Float>? = nil
    /// op(B) already packed by `Kernels.packRightOperand` (for the whole product, not this part).
    var packedB: UnsafePointer<Float>? = nil
    /// The column of the whole product where this part starts, and the whole product's
    /// columns, to find this part's panels in `packedB`.
    var firstColumn = 0, totalColumns = 0
    /// Whether to pack A (`nil`: pack it when this part has more than
    /// `Kernels.directLeftOperandColumnTiles` column tiles, or A is stored transposed with a
    /// depth stride of `Kernels.transposedLeftOperandPackingStride` or more and this part has
    /// two column tiles or more; tests force each way).
    var packsLeftOperand: Bool? = nil
    /// Whether the unpacked kernel reads B row after row (`nil`: when this part has one to
    /// three rows and its B is larger than the L2 cache; tests force each way).
    var streamsRightOperand: Bool? = nil

    /// How to cut C into at most `parts` rectangles of whole tiles: a grid of `rows × columns`
    /// rectangles, chosen among those with the most rectangles to pack the least. (A rectangle
    /// packs its rows of A once per column block and its columns of B once per row block, so a
    /// grid of r × c packs A c times and B r times.)
    /// - Parameters:
    ///   - tile: the micro-kernel's tile; cuts fall on its boundaries.
    ///   - parts: the most rectangles wanted (the threads that will share the product).
    ///   - rowsMayBeSplit: false for the unpacked kernel, which is split by columns only.
    func grid(tile: NNTileShape, parts: Int, rowsMayBeSplit: Bool) -> (rows: Int, columns: Int) {
        let rowTiles = rowsMayBeSplit ? (rows + Int(tile.rows) - 1) / Int(tile.rows) : 1
        let columnTiles = (columns + Int(tile.columns) - 1) / Int(tile.columns)
        var best = (rows: 1, columns: 1), bestCost = Int.max
        for count in stride(from: Swift.min(parts, rowTiles * columnTiles), through: 2, by: -1) {
            for r in 1...count where count % r == 0 && r <= rowTiles && count / r <= columnTiles {
                let c = count / r
                let cost = c * rows + r * columns
                if cost < bestCost { (best, bestCost) = ((r, c), cost) }
            }
            if bestCost < Int.max { break }
        }
        return best
    }

    /// Rectangle `index` (row-major) of the `grid` of this part, cut on `tile` boundaries so
    /// that the tiles are shared as evenly as possible.
    func part(_ index: Int, of grid: (rows: Int, columns: Int), tile: NNTileShape) -> PackedProductPart {
        let (rowRange, columnRange) = (
            Self.share(index / grid.columns, of: grid.rows, length: rows, step: Int(tile.rows)),
            Self.share(index % grid.columns, of: grid.columns, length: columns, step: Int(tile.columns))
        )
        var piece = self
        piece.rows = rowRange.count
        piece.columns = columnRange.count
        piece.a = a + rowRange.lowerBound * aRow
        piece.b = b + columnRange.lowerBound * bColumn
        piece.c = c + rowRange.lowerBound * cRow + columnRange.lowerBound
        piece.bias = bias.map { $0 + columnRange.lowerBound }
        piece.firstColumn = firstColumn + columnRange.lowerBound
        return piece
    }

    /// The `index`-th of `count` ranges that cut `0..<length` into whole steps (the last may
    /// be short), the first ranges one step longer when the steps do not divide evenly.
    static func share(_ index: Int, of count: Int, length: Int, step: Int) -> Range<Int> {
        let steps = (length + step - 1) / step
        let (base, extra) = steps.quotientAndRemainder(dividingBy: count)
        let first = index * base + Swift.min(index, extra)
        let size = base + (index < extra ? 1 : 0)
        return Swift.min(first * step, length)..<Swift.min((first + size) * step, length)
    }

    /// Adds this part's product into C.
    func run() {
        guard rows > 0, columns > 0, depth > 0 else { return }
        if unpacked {
            // One to three rows of C and a B beyond L2: each value of B is used that few times,
            // so the product runs at the speed B streams in, fastest read in the order it lies.
            let streamsB =
                streamsRightOperand ?? (rows < 4 && bColumn == 1 && columns * depth * MemoryLayout<Float>.size > CacheSizes.levelTwo)
            nn_sgemm_small(
                set, Int32(rows), Int32(columns), Int32(depth), a, aRow, aDepth, b, bDepth, bColumn, c, cRow, streamsB ? 1 : 0)
            if let bias { Kernels.addBias(bias, to: c, rows: rows, columns: columns, rowStride: cRow) }
            return
        }
        let tile = nn_sgemm_tile(set)
        let (mr, nr) = (Int(tile.rows), Int(tile.columns))
        let kcMax = min(Kernels.depthBlock, depth)
        let mcMax = min(Kernels.rowBlock, (rows + mr - 1) / mr * mr)
        let ncMax = min(Kernels.columnBlock, (columns + nr - 1) / nr * nr)
        // A prepacked B holds every slab of the whole product's columns, each padded to whole panels.
        let paddedColumns = (totalColumns + nr - 1) / nr * nr
        let columnTiles = (columns + nr - 1) / nr
        let packsA =
            packsLeftOperand
            ?? (columnTiles > Kernels.directLeftOperandColumnTiles
                || (aRow == 1 && aDepth >= Kernels.transposedLeftOperandPackingStride && columnTiles > 1))
        PackingScratch.withScratch { scratch in
            scratch.reserve(a: packsA ? mcMax * kcMax : 0, b: self.packedB == nil ? kcMax * ncMax : 0)
            let packedA = scratch.packedA
            for jc in stride(from: 0, to: columns, by: Kernels.columnBlock) {
                let nc = min(Kernels.columnBlock, columns - jc)
                for pc in stride(from: 0, to: depth, by: Kernels.depthBlock) {
                    let kc = min(Kernels.depthBlock, depth - pc)
                    let lastSlab = pc + kc == depth
                    let packedB: UnsafePointer<Float>
                    if let prepacked = self.packedB {
                        packedB = prepacked + pc * paddedColumns + firstColumn * kc
                    } else {
                        nn_sgemm_pack_b(set, b + pc * bDepth + jc * bColumn, bDepth, bColumn, Int32(kc), Int32(nc), scratch.packedB)
                        packedB = UnsafePointer(scratch.packedB)
                    }
                    for ic in stride(from: 0, to: rows, by: Kernels.rowBlock) {
                        let mc = min(Kernels.rowBlock, rows - ic)
                        if packsA {
                            nn_sgemm_pack_a(set, a + ic * aRow + pc * aDepth, aRow, aDepth, Int32(mc), Int32(kc), packedA)
                        }
                        for jr in stride(from: 0, to: nc, by: nr) {
                            for ir in stride(from: 0, to: mc, by: mr) {
                                let (height, width) = (Int32(min(mr, mc - ir)), Int32(min(nr, nc - jr)))
                                let (tileC, tileBias) = (c + (ic + ir) * cRow + jc + jr, lastSlab ? bias.map { $0 + jc + jr } : nil)
                                let writes: Int32 = overwrite && pc == 0 ? 1 : 0
                                if packsA {
                                    nn_sgemm_micro(
                                        set, Int32(kc), packedA + ir * kc, packedB + jr * kc, tileC, cRow, height, width, writes, tileBias)
                                } else {
                                    nn_sgemm_micro_direct(
                                        set, Int32(kc), a + (ic + ir) * aRow + pc * aDepth, aRow, aDepth, packedB + jr * kc,
                                        tileC, cRow, height, width, writes, tileBias)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
