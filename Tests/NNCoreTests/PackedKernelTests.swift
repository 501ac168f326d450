import CNNKernels
import Testing

@testable import NNCore

/// The fast single-precision product (C micro-kernels, Swift blocking and threading) against
/// a naive Double reference, on shapes chosen to hit every edge: single elements, sizes that
/// are not multiples of any tile, products below the packing threshold, and products that
/// cross the row, depth and column blocks.
@Suite struct PackedKernelTests {
    static let layouts = [(false, false), (true, false), (false, true), (true, true)]
    static let shapes = [
        (1, 1, 1), (7, 13, 5), (33, 784, 64), (33, 64, 784), (2, 3, 40000), (64, 10, 128),
        (13, 37, 300), (241, 70, 257), (5, 3100, 40), (1, 256, 784), (100, 1, 500),
        (3, 200, 500), (1, 130, 600),   // one to three rows, split between threads off a 64-column boundary
    ]

    /// op(A)·op(B) + C₀ by the definition, in Double, and Σ|a·b| per element (for the bound).
    func reference(_ a: [Float], _ ta: Bool, _ b: [Float], _ tb: Bool, _ c0: [Float], m: Int, n: Int, k: Int)
        -> (values: [Double], magnitudes: [Double])
    {
        var values = c0.map(Double.init), magnitudes = c0.map { abs(Double($0)) }
        for i in 0..<m {
            for p in 0..<k {
                let x = Double(ta ? a[p * m + i] : a[i * k + p])
                for j in 0..<n {
                    let product = x * Double(tb ? b[j * k + p] : b[p * n + j])
                    values[i * n + j] += product
                    magnitudes[i * n + j] += abs(product)
                }
            }
        }
        return (values, magnitudes)
    }

    /// The largest error of `c` against the reference, as a fraction of the bound of a Float
    /// sum of k + 1 terms, |error| ≤ (k + 1)·ε·Σ|terms| (a loose but safe bound; a wrong index
    /// or a missed tile is off by O(1)).
    /// - Parameters:
    ///   - c: the product.
    ///   - expected: ``reference(_:_:_:_:_:m:n:k:)``'s values and magnitudes.
    ///   - k: the product's depth.
    func worstError(_ c: [Float], _ expected: (values: [Double], magnitudes: [Double]), depth k: Int) -> Double {
        var worst = 0.0
        for index in c.indices {
            let bound = max(Double(k + 1) * Double(Float.ulpOfOne) * expected.magnitudes[index], 1e-30)
            worst = max(worst, abs(Double(c[index]) - expected.values[index]) / bound)
        }
        return worst
    }

    func check(m: Int, n: Int, k: Int, layout: (Bool, Bool), threads: Int, set: NNInstructionSet, seed: UInt64) {
        var generator = SeededRandomGenerator(seed: seed)
        let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
        let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
        let start = (0..<(m * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
        for accumulate in [false, true] {
            var c = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        _ = Kernels.matrixMultiplyFloat(
                            a.baseAddress!, layout.0, b.baseAddress!, layout.1, c.baseAddress!,
                            m: m, n: n, k: k, accumulate: accumulate, threads: threads, set: set)
                    }
                }
            }
            let expected = reference(a, layout.0, b, layout.1, accumulate ? start : Array(repeating: 0, count: m * n), m: m, n: n, k: k)
            let worst = worstError(c, expected, depth: k)
            #expect(
                worst <= 1,
                "\(m)×\(n)×\(k) layout \(layout) threads \(threads) set \(set.rawValue) accumulate \(accumulate): error \(worst) of the bound")
        }
    }

    /// C after one `PackedProductPart` (the whole `m × n × k` product, op(A) and op(B) stored as
    /// `layout` says) has run on `start`, with the options `configure` sets.
    /// - Parameters:
    ///   - a: op(A)'s values, `m × k`.
    ///   - b: op(B)'s values, `k × n`.
    ///   - bias: added to every row, if given.
    ///   - start: C before the product.
    ///   - m: rows of C.
    ///   - n: columns of C.
    ///   - k: the depth.
    ///   - layout: whether A and B are stored transposed.
    ///   - configure: sets the part's instruction set and its choices.
    func partProduct(
        _ a: [Float], _ b: [Float], bias: [Float]? = nil, start: [Float], m: Int, n: Int, k: Int, layout: (Bool, Bool),
        configure: (inout PackedProductPart) -> Void
    ) -> [Float] {
        var c = start
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                (bias ?? []).withUnsafeBufferPointer { biasValues in
                    c.withUnsafeMutableBufferPointer { c in
                        let (aRow, aDepth) = layout.0 ? (1, m) : (k, 1)
                        let (bDepth, bColumn) = layout.1 ? (1, k) : (n, 1)
                        var part = PackedProductPart(
                            set: Kernels.instructionSet, a: a.baseAddress!, aRow: aRow, aDepth: aDepth, b: b.baseAddress!,
                            bDepth: bDepth, bColumn: bColumn, c: c.baseAddress!, cRow: n, rows: m, columns: n, depth: k,
                            bias: bias == nil ? nil : biasValues.baseAddress)
                        configure(&part)
                        part.run()
                    }
                }
            }
        }
        return c
    }

    /// Says which micro-kernels this CPU could run, so that a run on a machine without
    /// AVX-512 says it did not test that kernel instead of passing silently.
    @Test func reportsTheInstructionSetsItCouldNotRun() {
        let names = [NNInstructionSetBaseline: "baseline", NNInstructionSetAVX2: "AVX2+FMA", NNInstructionSetAVX512: "AVX-512"]
        let all = [NNInstructionSetBaseline, NNInstructionSetAVX2, NNInstructionSetAVX512]
        let run = Kernels.supportedInstructionSets, missing = all.filter { !run.contains($0) }
        print(
            "kernel tests: instruction sets run on this CPU: \(run.compactMap { names[$0] }.joined(separator: ", ")); "
                + (missing.isEmpty ? "none left unrun" : "NOT run (the CPU lacks them): \(missing.compactMap { names[$0] }.joined(separator: ", "))"))
        #expect(run.first == NNInstructionSetBaseline && run.last == Kernels.instructionSet)
    }

    @Test(arguments: layouts, [1, 2])
    func everyShapeEveryLayout(layout: (Bool, Bool), threads: Int) {
        for set in Kernels.supportedInstructionSets {
            for (index, (m, n, k)) in Self.shapes.enumerated() {
                check(m: m, n: n, k: k, layout: layout, threads: threads, set: set, seed: UInt64(index + 1))
            }
        }
    }

    /// Random shapes, including odd sizes, above and below the thresholds.
    @Test(arguments: [1, 2, 4])
    func randomShapes(threads: Int) {
        var generator = SeededRandomGenerator(seed: 99)
        for trial in 0..<24 {
            let m = 1 + generator.nextIndex(below: 90), n = 1 + generator.nextIndex(below: 90), k = 1 + generator.nextIndex(below: 300)
            let layout = Self.layouts[trial % 4]
            check(m: m, n: n, k: k, layout: layout, threads: threads, set: Kernels.instructionSet, seed: UInt64(1000 + trial))
        }
    }

    /// The rectangles a threaded product is cut into cover C exactly once, cut on tile
    /// boundaries, for every number of parts; run one after the other, they give the product.
    @Test(arguments: [(240, 37, 50), (37, 240, 50), (13, 13, 700), (500, 3, 9), (64, 256, 784), (784, 256, 64)])
    func gridPartsCoverTheProduct(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var generator = SeededRandomGenerator(seed: 5)
        let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() - 0.5 }, b = (0..<(k * n)).map { _ in generator.nextUniformFloat() - 0.5 }
        let set = Kernels.instructionSet, tile = nn_sgemm_tile(set)
        let expected = reference(a, false, b, false, Array(repeating: 0, count: m * n), m: m, n: n, k: k)
        for parts in [2, 3, 4, 5, 8, 16] {
            var c = [Float](repeating: 0, count: m * n), covered = [Int](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let whole = PackedProductPart(
                            set: set, a: a.baseAddress!, aRow: k, aDepth: 1, b: b.baseAddress!, bDepth: n, bColumn: 1,
                            c: c.baseAddress!, cRow: n, rows: m, columns: n, depth: k)
                        let grid = whole.grid(tile: tile, parts: parts, rowsMayBeSplit: true)
                        #expect(grid.rows * grid.columns <= parts)
                        for index in 0..<(grid.rows * grid.columns) {
                            let piece = whole.part(index, of: grid, tile: tile)
                            let offset = piece.c - c.baseAddress!
                            let (row, column) = offset.quotientAndRemainder(dividingBy: n)
                            #expect(row % Int(tile.rows) == 0 && column % Int(tile.columns) == 0, "parts \(parts): a cut off a tile boundary")
                            #expect(piece.rows > 0 && piece.columns > 0, "parts \(parts): an empty rectangle")
                            for i in row..<(row + piece.rows) { for j in column..<(column + piece.columns) { covered[i * n + j] += 1 } }
                            piece.run()
                        }
                    }
                }
            }
            #expect(covered.allSatisfy { $0 == 1 }, "\(shape) in \(parts) parts: some element covered other than once")
            let within = c.indices.allSatisfy { index in
                let bound = Double(k + 1) * Double(Float.ulpOfOne) * expected.magnitudes[index]
                return abs(Double(c[index]) - expected.values[index]) <= bound
            }
            #expect(within, "\(shape) in \(parts) parts")
        }
    }

    /// Reading A in place gives the bits of packing it, in every layout, instruction set and
    /// edge (rows and columns off the tile, several depth and row blocks, with and without a
    /// bias, overwriting and accumulating), whichever the size rule would have chosen.
    @Test func readingAInPlaceGivesTheBitsOfPackingIt() {
        let shapes = [(1, 1, 1), (7, 13, 5), (241, 70, 257), (300, 200, 800), (13, 130, 40), (37, 1, 400), (5, 3100, 40)]
        for (index, (m, n, k)) in shapes.enumerated() {
            var generator = SeededRandomGenerator(seed: UInt64(index + 70))
            let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let bias = (0..<n).map { _ in generator.nextUniformFloat() * 2 - 1 }
            for set in Kernels.supportedInstructionSets {
                for layout in Self.layouts {
                    for (overwrite, withBias) in [(true, false), (false, true), (true, true)] {
                        func product(packsA: Bool) -> [Float] {
                            partProduct(
                                a, b, bias: withBias ? bias : nil, start: Array(repeating: 0.25, count: m * n), m: m, n: n, k: k, layout: layout
                            ) {
                                $0.set = set
                                $0.overwrite = overwrite
                                $0.packsLeftOperand = packsA
                            }
                        }
                        let (packed, direct) = (product(packsA: true), product(packsA: false))
                        #expect(
                            packed.elementsEqual(direct) { $0.bitPattern == $1.bitPattern },
                            "\(m)×\(n)×\(k) layout \(layout) set \(set.rawValue) overwrite \(overwrite) bias \(withBias)")
                    }
                }
            }
        }
    }

    /// The unpacked kernel's two loops for one to three rows, B read row after row (chosen
    /// when B is beyond L2) and B read in column blocks, give the same bits, in every layout,
    /// instruction set and row count, for widths around the vector and block sizes and depths
    /// around the four rows read at once.
    @Test func streamingTheRightOperandGivesTheBitsOfTheBlockedLoop() {
        var index = 0
        for m in 1...3 {
            for n in [2, 7, 8, 63, 64, 130, 256] {
                for k in [1, 3, 4, 5, 33, 784] {
                    index += 1
                    var generator = SeededRandomGenerator(seed: UInt64(index + 500))
                    let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
                    let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
                    for set in Kernels.supportedInstructionSets {
                        for layout in Self.layouts {
                            func product(streams: Bool) -> [Float] {
                                partProduct(a, b, start: (0..<(m * n)).map { Float($0 % 5) * 0.25 }, m: m, n: n, k: k, layout: layout) {
                                    $0.set = set
                                    $0.unpacked = true
                                    $0.streamsRightOperand = streams
                                }
                            }
                            let (streamed, blocked) = (product(streams: true), product(streams: false))
                            #expect(
                                streamed.elementsEqual(blocked) { $0.bitPattern == $1.bitPattern },
                                "\(m)×\(n)×\(k) layout \(layout) set \(set.rawValue)")
                        }
                    }
                }
            }
        }
    }

    /// The unpacked kernel's blocked loop on a B whose rows start anywhere in a cache line
    /// (AVX-512 lays its vectors on B's lines when they do not start on one) gives the bits of
    /// the loop that reads B row after row, and is within the reference's bound: for every
    /// offset of B from a line, widths whose rows keep that offset (multiples of 16) and one
    /// whose rows do not, one to three rows, B's rows packed or a column slice of a wider B,
    /// with guard values around C and NaN between B's rows, neither of which may be touched.
    @Test func bOffALineBoundaryGivesTheBitsOfTheStreamedLoop() {
        for set in Kernels.supportedInstructionSets {
            for m in 1...3 {
                // 208: 13 or 14 vectors a row, so that every pass width (8, 4, 2, 1) runs.
                for (n, k) in [(128, 1), (144, 5), (208, 3), (256, 33), (300, 7)] {
                    var generator = SeededRandomGenerator(seed: UInt64(m * 1000 + n + k))
                    let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
                    let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
                    let start = (0..<(m * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
                    let expected = reference(a, false, b, false, start, m: m, n: n, k: k)
                    // B at every float offset from a 64-byte boundary, inside a larger buffer,
                    // its rows `n` apart or 48 further (a thread's column slice of a wider B),
                    // the gaps holding NaN, which no product may read.
                    for gap in [0, 48] {
                        let stride = n + gap
                        let buffer = UnsafeMutableRawPointer.allocate(byteCount: (k * stride + 16) * 4, alignment: 64)
                        defer { buffer.deallocate() }
                        for offset in 0..<16 {
                            let bPointer = buffer.initializeMemory(as: Float.self, repeating: .nan, count: k * stride + 16) + offset
                            b.withUnsafeBufferPointer { b in
                                for p in 0..<k { (bPointer + p * stride).update(from: b.baseAddress! + p * n, count: n) }
                            }
                            // C between 16 guard values on each side, which no product may write.
                            func product(streams: Bool) -> [Float] {
                                var c = [Float](repeating: -7, count: 16) + start + [Float](repeating: -7, count: 16)
                                a.withUnsafeBufferPointer { a in
                                    c.withUnsafeMutableBufferPointer { c in
                                        nn_sgemm_small(
                                            set, Int32(m), Int32(n), Int32(k), a.baseAddress!, k, 1, bPointer, stride, 1, c.baseAddress! + 16, n,
                                            streams ? 1 : 0)
                                    }
                                }
                                #expect(c.prefix(16).allSatisfy { $0 == -7 } && c.suffix(16).allSatisfy { $0 == -7 }, "a guard value was written")
                                return Array(c.dropFirst(16).dropLast(16))
                            }
                            let (blocked, streamed) = (product(streams: false), product(streams: true))
                            #expect(
                                blocked.elementsEqual(streamed) { $0.bitPattern == $1.bitPattern },
                                "\(m)×\(n)×\(k), B \(offset) floats past a line, rows \(stride) apart, set \(set.rawValue)")
                            let worst = worstError(blocked, expected, depth: k)
                            #expect(
                                worst <= 1,
                                "\(m)×\(n)×\(k), B \(offset) floats past a line, rows \(stride) apart, set \(set.rawValue): error \(worst) of the bound"
                            )
                        }
                    }
                }
            }
        }
    }

    /// 2, 3, 4 and 8 threads (more than this machine may have cores: the helpers then take
    /// turns) give the bits of one thread, in every layout and instruction set: each element
    /// is summed in the same order whichever rectangle holds it. (One thread's product is
    /// checked against the naive reference above.)
    @Test(.serialized, arguments: [2, 3, 4, 8])
    func everyThreadCountGivesTheBitsOfOne(threads: Int) {
        let shapes = [(64, 256, 784), (784, 256, 64), (3, 200, 500), (1, 256, 784), (241, 70, 257), (200, 1, 3000)]
        for (index, (m, n, k)) in shapes.enumerated() {
            // The same numbers serve every layout: op(A) is m×k whichever way A is stored.
            var generator = SeededRandomGenerator(seed: UInt64(index + 7))
            let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            for set in Kernels.supportedInstructionSets {
                for layout in Self.layouts {
                    func product(threads: Int) -> (c: [Float], used: Int) {
                        var c = [Float](repeating: 0.5, count: m * n)
                        let used = a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                c.withUnsafeMutableBufferPointer { c in
                                    Kernels.matrixMultiplyFloat(
                                        a.baseAddress!, layout.0, b.baseAddress!, layout.1, c.baseAddress!,
                                        m: m, n: n, k: k, accumulate: true, threads: threads, set: set)
                                }
                            }
                        }
                        return (c, used)
                    }
                    let one = product(threads: 1).c
                    // Another test's product may hold the helpers for a moment: try again until
                    // this one is split, so that the comparison is of a threaded product.
                    var many = product(threads: threads), attempts = 1
                    while many.used == 1 && attempts < 1000 {
                        many = product(threads: threads)
                        attempts += 1
                    }
                    #expect(many.used > 1, "\(m)×\(n)×\(k): the helpers were never free")
                    #expect(
                        one.elementsEqual(many.c) { $0.bitPattern == $1.bitPattern },
                        "\(m)×\(n)×\(k) layout \(layout) set \(set.rawValue), \(threads) threads")
                }
            }
        }
    }

    /// The bias added as each tile is stored gives the bits of the product followed by a
    /// separate pass adding it, for packed products of one and several depth slabs, unpacked
    /// ones (one to three rows, or small), edge tiles, every layout, instruction set and
    /// 1, 2 and 3 threads; `Float.affine` with no depth gives the bias rows.
    @Test func fusedBiasGivesTheBitsOfASeparatePass() {
        let shapes = [(64, 256, 784), (37, 50, 300), (3, 200, 500), (5, 7, 9), (200, 33, 1000), (13, 1, 40)]
        for (index, (m, n, k)) in shapes.enumerated() {
            var generator = SeededRandomGenerator(seed: UInt64(50 + index))
            let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let bias = (0..<n).map { _ in generator.nextUniformFloat() * 4 - 2 }
            for set in Kernels.supportedInstructionSets {
                for layout in Self.layouts {
                    for threads in [1, 2, 3] {
                        var fused = [Float](repeating: .nan, count: m * n), separate = fused
                        a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                bias.withUnsafeBufferPointer { bias in
                                    fused.withUnsafeMutableBufferPointer { c in
                                        _ = Kernels.matrixMultiplyFloat(
                                            a.baseAddress!, layout.0, b.baseAddress!, layout.1, c.baseAddress!,
                                            m: m, n: n, k: k, accumulate: false, bias: bias.baseAddress!, threads: threads, set: set)
                                    }
                                    separate.withUnsafeMutableBufferPointer { c in
                                        Kernels.matrixMultiplyFloat(
                                            a.baseAddress!, layout.0, b.baseAddress!, layout.1, c.baseAddress!,
                                            m: m, n: n, k: k, accumulate: false, threads: threads, set: set)
                                        Kernels.addRowVector(bias, to: c, columns: n)
                                    }
                                }
                            }
                        }
                        #expect(
                            fused.elementsEqual(separate) { $0.bitPattern == $1.bitPattern },
                            "\(m)×\(n)×\(k) layout \(layout) set \(set.rawValue), \(threads) threads")
                    }
                }
            }
        }
        var rows = [Float](repeating: .nan, count: 6)
        [Float]().withUnsafeBufferPointer { empty in
            [Float](arrayLiteral: 1, -2, 3).withUnsafeBufferPointer { bias in
                rows.withUnsafeMutableBufferPointer { Float.affine(empty, empty, bias: bias, into: $0, m: 2, n: 3, k: 0) }
            }
        }
        #expect(rows == [1, -2, 3, 1, -2, 3])
    }

    /// B packed once (a recurrent weight, for every time step) gives the bits of packing it
    /// in each product: one or several depth slabs, B transposed or not, C overwritten (with a
    /// bias) or accumulated, split between threads.
    @Test func prepackedRightOperandGivesTheBitsOfPackingEachTime() {
        let shapes = [(64, 512, 128), (64, 128, 512), (37, 50, 300), (5, 7, 9), (200, 33, 1000), (4, 3072, 20)]
        for (index, (m, n, k)) in shapes.enumerated() {
            var generator = SeededRandomGenerator(seed: UInt64(70 + index))
            let a = (0..<(m * k)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let b = (0..<(k * n)).map { _ in generator.nextUniformFloat() * 2 - 1 }
            let bias = (0..<n).map { _ in generator.nextUniformFloat() * 4 - 2 }
            let start = (0..<(m * n)).map { _ in generator.nextUniformFloat() }
            for transposed in [false, true] {
                guard let count = Kernels.packedRightOperandCount(k: k, n: n) else {
                    Issue.record("\(k)×\(n) should be packable")
                    continue
                }
                var packed = [Float](repeating: .nan, count: count)
                b.withUnsafeBufferPointer { b in
                    packed.withUnsafeMutableBufferPointer {
                        Kernels.packRightOperand(b.baseAddress!, transposed: transposed, k: k, n: n, into: $0.baseAddress!)
                    }
                }
                for (accumulate, withBias) in [(false, true), (true, false), (false, false)] {
                    for threads in [1, 2, 3] {
                        var once = start, each = start
                        a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                bias.withUnsafeBufferPointer { bias in
                                    packed.withUnsafeBufferPointer { packed in
                                        once.withUnsafeMutableBufferPointer { c in
                                            _ = Kernels.matrixMultiplyFloat(
                                                a.baseAddress!, false, b.baseAddress!, transposed, c.baseAddress!, m: m, n: n, k: k,
                                                accumulate: accumulate, bias: withBias ? bias.baseAddress! : nil, packedB: packed.baseAddress!,
                                                threads: threads)
                                        }
                                    }
                                    each.withUnsafeMutableBufferPointer { c in
                                        _ = Kernels.matrixMultiplyFloat(
                                            a.baseAddress!, false, b.baseAddress!, transposed, c.baseAddress!, m: m, n: n, k: k,
                                            accumulate: accumulate, bias: withBias ? bias.baseAddress! : nil, threads: threads)
                                    }
                                }
                            }
                        }
                        #expect(
                            once.elementsEqual(each) { $0.bitPattern == $1.bitPattern },
                            "\(m)×\(n)×\(k) transposed \(transposed) accumulate \(accumulate) bias \(withBias), \(threads) threads")
                    }
                }
            }
        }
        #expect(Kernels.packedRightOperandCount(k: 10, n: Kernels.columnBlock + 1) == nil)
    }

    /// Products run from many threads at once (the helpers are shared: one caller's product
    /// uses them, the others run on their own threads) stay correct.
    @Test func concurrentCallersGetCorrectProducts() async {
        await withTaskGroup(of: Void.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    check(m: 96, n: 80, k: 200, layout: Self.layouts[caller], threads: 2, set: Kernels.instructionSet, seed: UInt64(caller))
                }
            }
        }
    }
}
