/// Reshaping a tensor that is about to be overwritten, keeping its storage.
///
/// Layers, losses and the trainer keep their output and gradient tensors from one step to the
/// next and write into them. When the shape (or only the element count) is unchanged and the
/// storage is not shared, this allocates nothing, which is what makes a training step of a small
/// network free of heap allocation. A shared storage is copied on the first write, as for any
/// Swift array, so value semantics are kept.
extension Tensor {
    /// Makes this tensor a `[rows, columns]` matrix whose contents are about to be overwritten.
    ///
    /// Elements are kept when the element count is unchanged and zero otherwise.
    @_specialize(exported:true,where Scalar == Float)
    @_specialize(exported:true,where Scalar == Double)
    public mutating func resizeForOverwrite(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Tensor: negative dimension in [\(rows), \(columns)]")
        if shape.count != 2 || shape[0] != rows || shape[1] != columns { shape = [rows, columns] }
        resizeStorage(to: rows * columns)
    }

    /// Gives this tensor the shape of `other`, ready to be overwritten.
    ///
    /// Elements are kept when the element count is unchanged and zero otherwise.
    @_specialize(exported:true,where Scalar == Float)
    @_specialize(exported:true,where Scalar == Double)
    public mutating func resizeForOverwrite(toShapeOf other: Tensor) {
        if shape != other.shape { shape = other.shape }
        resizeStorage(to: other.scalarCount)
    }

    /// Gives this tensor the shape of `samples` samples shaped like those of `source`
    /// (`[samples] + source.shape.dropFirst()`), ready to be overwritten.
    ///
    /// Elements are kept when the element count is unchanged and zero otherwise.
    @_specialize(exported:true,where Scalar == Float)
    @_specialize(exported:true,where Scalar == Double)
    public mutating func resizeForOverwrite(samples: Int, shapedLike source: Tensor) {
        precondition(source.rank >= 1 && samples >= 0, "Tensor: \(samples) samples shaped like \(source.shape)")
        if shape.count != source.rank || shape[0] != samples || !sharesSampleShape(with: source) {
            var newShape = source.shape
            newShape[0] = samples
            shape = newShape
        }
        resizeStorage(to: samples * source.featureCount)
    }

    /// Gives this tensor `shape`, ready to be overwritten.
    ///
    /// Elements are kept when the element count is unchanged and zero otherwise.
    public mutating func resizeForOverwrite(shape newShape: [Int]) {
        precondition(newShape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(newShape)")
        if shape != newShape { shape = newShape }
        resizeStorage(to: newShape.reduce(1, *))
    }

    /// Makes this tensor `[a, b, c]` (a sequence batch), ready to be overwritten, without
    /// building a shape array when it already has that shape: a training step in steady
    /// state allocates nothing.
    mutating func resizeForOverwrite(_ a: Int, _ b: Int, _ c: Int) {
        if rank == 3 && shape[0] == a && shape[1] == b && shape[2] == c { return }
        resizeForOverwrite(shape: [a, b, c])
    }

    /// Whether every dimension but the first is the same as in `other` (of the same rank).
    private func sharesSampleShape(with other: Tensor) -> Bool {
        for index in shape.indices.dropFirst() where shape[index] != other.shape[index] { return false }
        return true
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private mutating func resizeStorage(to count: Int) {
        // `storage`, not `scalars`: the getter would hand out a retained copy of the array.
        if storage.count != count { storage = Scalar.array(repeating: 0, count: count) }
    }
}
