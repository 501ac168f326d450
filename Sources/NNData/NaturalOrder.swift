/// Orders names as people do: runs of digits compare by their value, so `9.bmp` comes
/// before `10.bmp` and `class 2` before `class 12`. Ties fall back to plain comparison.
public enum NaturalOrder {
    /// Whether `a` sorts before `b`.
    public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        let left = Array(a.unicodeScalars), right = Array(b.unicodeScalars)
        var i = 0, j = 0
        while i < left.count && j < right.count {
            if isDigit(left[i]) && isDigit(right[j]) {
                let (leftRun, nextI) = digitRun(left, from: i), (rightRun, nextJ) = digitRun(right, from: j)
                if leftRun.count != rightRun.count { return leftRun.count < rightRun.count }
                if leftRun != rightRun { return leftRun.lexicographicallyPrecedes(rightRun) }
                (i, j) = (nextI, nextJ)
            } else {
                if left[i] != right[j] { return left[i].value < right[j].value }
                i += 1
                j += 1
            }
        }
        if left.count - i != right.count - j { return left.count - i < right.count - j }
        return a < b
    }

    /// `names` in natural order.
    public static func sorted(_ names: [String]) -> [String] {
        names.sorted(by: areInIncreasingOrder)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// The digits starting at `start` without leading zeros, and the index after the run.
    private static func digitRun(_ scalars: [Unicode.Scalar], from start: Int) -> ([UInt32], Int) {
        var end = start
        while end < scalars.count && isDigit(scalars[end]) { end += 1 }
        var digits = scalars[start..<end].map(\.value)
        while digits.count > 1 && digits.first == 48 { digits.removeFirst() }
        return (digits, end)
    }
}
