/// Contour lines by marching squares: for each grid cell, where the level crosses its edges
/// (found by linear interpolation between corner values), one or two line segments.
enum ContourLines {
    /// Segments of the `level` contour of `grid`, whose values sit at evenly spaced corners
    /// spanning the ranges (row 0 at the bottom of `yRange`), in data coordinates.
    static func segments(
        _ grid: [[Double]], level: Double, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    ) -> [((Double, Double), (Double, Double))] {
        let rows = grid.count, columns = grid.first?.count ?? 0
        guard rows > 1, columns > 1 else { return [] }
        let dx = (xRange.upperBound - xRange.lowerBound) / Double(columns - 1)
        let dy = (yRange.upperBound - yRange.lowerBound) / Double(rows - 1)
        func point(_ row: Double, _ column: Double) -> (Double, Double) {
            (xRange.lowerBound + column * dx, yRange.lowerBound + row * dy)
        }
        func crossing(_ a: Double, _ b: Double) -> Double { (level - a) / (b - a) }

        var result: [((Double, Double), (Double, Double))] = []
        for row in 0..<(rows - 1) {
            for column in 0..<(columns - 1) {
                // Corners counter-clockwise from the bottom left.
                let v = [grid[row][column], grid[row][column + 1], grid[row + 1][column + 1], grid[row + 1][column]]
                let (r, c) = (Double(row), Double(column))
                // The crossing point on each edge (bottom, right, top, left), if the level crosses it.
                let edges: [(Double, Double)?] = [
                    (v[0] < level) != (v[1] < level) ? point(r, c + crossing(v[0], v[1])) : nil,
                    (v[1] < level) != (v[2] < level) ? point(r + crossing(v[1], v[2]), c + 1) : nil,
                    (v[3] < level) != (v[2] < level) ? point(r + 1, c + crossing(v[3], v[2])) : nil,
                    (v[0] < level) != (v[3] < level) ? point(r + crossing(v[0], v[3]), c) : nil,
                ]
                let crossings = edges.compactMap { $0 }
                if crossings.count == 2 {
                    result.append((crossings[0], crossings[1]))
                } else if crossings.count == 4 {
                    // A saddle: pair each crossing with its neighbour on the side of the centre value.
                    let centreAbove = (v.reduce(0, +) / 4) >= level
                    let bottomLeftAbove = v[0] >= level
                    if centreAbove == bottomLeftAbove {
                        result.append((crossings[0], crossings[1]))
                        result.append((crossings[2], crossings[3]))
                    } else {
                        result.append((crossings[0], crossings[3]))
                        result.append((crossings[1], crossings[2]))
                    }
                }
            }
        }
        return result
    }
}
