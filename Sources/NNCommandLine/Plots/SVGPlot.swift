import Foundation
import NN

/// A small SVG chart: one pair of axes with ticks, onto which scatter points, lines, heat
/// maps and contour lines are drawn in data coordinates.
struct SVGPlot {
    let width = 640.0, height = 480.0
    let left = 70.0, right = 20.0, top = 40.0, bottom = 55.0
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var title: String
    var xLabel: String
    var yLabel: String
    private var elements: [String] = []
    private var legend: [(label: String, color: String)] = []
    private var categoryLabels: [String] = []
    private var showsTicks = true
    /// The id of the plot area's clip path: two plots in one document need two.
    var clipID = "plot"

    init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
    }

    /// Screen coordinates of a data point.
    func screen(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        return (
            left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth,
            top + (1 - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)) * plotHeight
        )
    }

    mutating func scatter(_ points: [(Double, Double)], color: String, label: String? = nil) {
        for (x, y) in points {
            let p = screen(x, y)
            elements.append("<circle cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"2.5\" fill=\"\(color)\" fill-opacity=\"0.7\"/>")
        }
        if let label { legend.append((label, color)) }
    }

    mutating func line(_ points: [(Double, Double)], color: String, width lineWidth: Double = 2, label: String? = nil, markers: Bool = false) {
        guard !points.isEmpty else { return }
        elements += lineElements(points, color: color, width: lineWidth, markers: markers)
        if let label { legend.append((label, color)) }
    }

    /// The SVG elements of a line through `points` (data coordinates), for animation frames.
    func lineElements(_ points: [(Double, Double)], color: String, width lineWidth: Double = 2, markers: Bool = false) -> [String] {
        guard !points.isEmpty else { return [] }
        let path = points.map { screen($0.0, $0.1) }.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
        var elements = ["<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(lineWidth)\"/>"]
        if markers {
            for p in points.map({ screen($0.0, $0.1) }) {
                elements.append("<circle cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"2\" fill=\"\(color)\"/>")
            }
        }
        return elements
    }

    /// Adds a legend entry without drawing anything (for what animation frames draw).
    mutating func legendEntry(_ label: String, color: String) {
        legend.append((label, color))
    }

    /// Animation frames, shown one after the other and looping (SMIL `visibility`
    /// animations, no script): frame `k` holds `frames[k]` and its caption, in the plot's
    /// top-left corner. Each frame shows for `frameSeconds`, the last for `holdSeconds` more.
    /// With `cumulative`, a frame's elements stay until the loop ends (a path that grows by a
    /// piece per frame), and only the captions change. Without SMIL, a viewer shows the last
    /// frame (all of them, cumulative). Each frame is a `<g class="frame">` with a
    /// `data-caption`, so that tests can read them back.
    /// - Parameters:
    ///   - frames: the elements of each frame (see ``lineElements(_:color:width:markers:)``).
    ///   - captions: one per frame.
    ///   - cumulative: whether frames stay once shown.
    ///   - frameSeconds: how long each frame shows.
    ///   - holdSeconds: how much longer the last frame shows.
    mutating func animation(
        frames: [[String]], captions: [String], cumulative: Bool = false, frameSeconds: Double = 0.15, holdSeconds: Double = 2
    ) {
        let count = frames.count
        let duration = Double(count) * frameSeconds + holdSeconds
        func time(_ frame: Int) -> String { String(format: "%.5f", Double(frame) * frameSeconds / duration) }
        /// The `<g>` opening and its animation: visible from frame `index` until the next, or to the end.
        func group(_ index: Int, toEnd: Bool, attributes: String) -> [String] {
            let last = index == count - 1
            var lines = ["<g \(attributes) visibility=\"\(last || (toEnd && cumulative) ? "visible" : "hidden")\">"]
            guard count > 1, !(index == 0 && toEnd) else { return lines }
            let (values, keyTimes) =
                index == 0
                ? ("visible;hidden", "0;\(time(1))")
                : last || toEnd ? ("hidden;visible", "0;\(time(index))") : ("hidden;visible;hidden", "0;\(time(index));\(time(index + 1))")
            lines.append(
                "<animate attributeName=\"visibility\" values=\"\(values)\" keyTimes=\"\(keyTimes)\" dur=\"\(String(format: "%.2f", duration))s\" calcMode=\"discrete\" repeatCount=\"indefinite\"/>"
            )
            return lines
        }
        for (index, (content, caption)) in zip(frames, captions).enumerated() {
            elements += group(index, toEnd: cumulative, attributes: "class=\"frame\" data-caption=\"\(escaped(caption))\"") + content + ["</g>"]
        }
        for (index, caption) in captions.prefix(count).enumerated() {
            elements += group(index, toEnd: false, attributes: "class=\"caption\"")
            elements.append("<text x=\"\(f(left + 10))\" y=\"\(f(top + 20))\" font-size=\"14\">\(escaped(caption))</text>")
            elements.append("</g>")
        }
    }

    mutating func marker(_ x: Double, _ y: Double, color: String, label: String) {
        let p = screen(x, y)
        elements.append(
            "<path d=\"M\(f(p.x - 6)),\(f(p.y)) L\(f(p.x + 6)),\(f(p.y)) M\(f(p.x)),\(f(p.y - 6)) L\(f(p.x)),\(f(p.y + 6))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
        )
        legend.append((label, color))
    }

    /// Fills the plot area with `grid` (rows of equal length: row 0 at the bottom of the
    /// y range, column 0 at the left of the x range), coloured by `values` mapped to [0, 1].
    mutating func heatMap(_ grid: [[Double]], colorOf: (Double) -> String) {
        let rows = grid.count, columns = grid[0].count
        let cellWidth = (xRange.upperBound - xRange.lowerBound) / Double(columns)
        let cellHeight = (yRange.upperBound - yRange.lowerBound) / Double(rows)
        // One group sets the rendering of every cell: a 60 × 60 map is 3,600 rectangles.
        elements.append("<g shape-rendering=\"crispEdges\">")
        defer { elements.append("</g>") }
        for (row, values) in grid.enumerated() {
            for (column, value) in values.enumerated() {
                let corner = screen(xRange.lowerBound + Double(column) * cellWidth, yRange.lowerBound + Double(row + 1) * cellHeight)
                let opposite = screen(xRange.lowerBound + Double(column + 1) * cellWidth, yRange.lowerBound + Double(row) * cellHeight)
                elements.append(
                    "<rect x=\"\(f(corner.x))\" y=\"\(f(corner.y))\" width=\"\(f(opposite.x - corner.x + 0.5))\" height=\"\(f(opposite.y - corner.y + 0.5))\" fill=\"\(colorOf(value))\"/>"
                )
            }
        }
    }

    /// Contour lines of `grid` (sampled at cell corners spanning the ranges) at each level.
    mutating func contours(_ grid: [[Double]], levels: [Double], color: String) {
        for level in levels {
            let segments = ContourLines.segments(grid, level: level, xRange: xRange, yRange: yRange)
            let path = segments.map { segment -> String in
                let a = screen(segment.0.0, segment.0.1), b = screen(segment.1.0, segment.1.1)
                return "M\(f(a.x)),\(f(a.y)) L\(f(b.x)),\(f(b.y))"
            }.joined(separator: " ")
            if !path.isEmpty {
                elements.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"0.8\" stroke-opacity=\"0.8\"/>")
            }
        }
    }

    /// A confusion matrix: counts in a grid (rows: true class, columns: predicted class),
    /// shaded by the row's share, with the counts written in the cells.
    mutating func confusionMatrix(_ counts: [[Int]], labels: [String]) {
        let n = counts.count
        for (row, values) in counts.enumerated() {
            let total = Swift.max(values.reduce(0, +), 1)
            for (column, count) in values.enumerated() {
                let corner = screen(Double(column), Double(n - row)), opposite = screen(Double(column + 1), Double(n - row - 1))
                let share = Double(count) / Double(total)
                elements.append(
                    "<rect x=\"\(f(corner.x))\" y=\"\(f(corner.y))\" width=\"\(f(opposite.x - corner.x))\" height=\"\(f(opposite.y - corner.y))\" fill=\"\(heatColor(share))\" stroke=\"white\"/>"
                )
                let centre = screen(Double(column) + 0.5, Double(n - row) - 0.5)
                elements.append(
                    "<text x=\"\(f(centre.x))\" y=\"\(f(centre.y + 4))\" text-anchor=\"middle\" font-size=\"\(n > 10 ? 9 : 11)\" fill=\"\(share > 0.5 ? "black" : "white")\">\(count)</text>"
                )
            }
            let label = screen(0, Double(n - row) - 0.5)
            categoryLabels.append(
                "<text x=\"\(f(label.x - 6))\" y=\"\(f(label.y + 4))\" text-anchor=\"end\" font-size=\"10\">\(escaped(labels[row]))</text>")
            let bottom = screen(Double(row) + 0.5, 0)
            categoryLabels.append(
                "<text transform=\"translate(\(f(bottom.x)),\(f(bottom.y + 12))) rotate(30)\" font-size=\"10\">\(escaped(labels[row]))</text>")
        }
        showsTicks = false
    }

    /// The finished document; with `offset`, an `<svg>` element placed that far right inside
    /// another document (see ``sideBySide(_:)``).
    func render(offset: Double? = nil) -> String {
        let position = offset.map { "x=\"\(f($0))\" y=\"0\"" } ?? "xmlns=\"http://www.w3.org/2000/svg\""
        var svg = [
            "<svg \(position) width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<defs><clipPath id=\"\(clipID)\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(height - top - bottom))\"/></clipPath></defs>",
            "<g clip-path=\"url(#\(clipID))\">",
        ]
        svg += elements
        svg.append("</g>")
        svg.append(
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(height - top - bottom))\" fill=\"none\" stroke=\"black\"/>"
        )
        svg += categoryLabels
        for x in showsTicks ? ticks(xRange) : [] {
            let p = screen(x, yRange.lowerBound)
            svg.append("<line x1=\"\(f(p.x))\" y1=\"\(f(p.y))\" x2=\"\(f(p.x))\" y2=\"\(f(p.y + 5))\" stroke=\"black\"/>")
            svg.append("<text x=\"\(f(p.x))\" y=\"\(f(p.y + 18))\" text-anchor=\"middle\">\(label(x))</text>")
        }
        for y in showsTicks ? ticks(yRange) : [] {
            let p = screen(xRange.lowerBound, y)
            svg.append("<line x1=\"\(f(p.x - 5))\" y1=\"\(f(p.y))\" x2=\"\(f(p.x))\" y2=\"\(f(p.y))\" stroke=\"black\"/>")
            svg.append("<text x=\"\(f(p.x - 8))\" y=\"\(f(p.y + 4))\" text-anchor=\"end\">\(label(y))</text>")
        }
        svg.append("<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escaped(title))</text>")
        svg.append("<text x=\"\(f(left + (width - left - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escaped(xLabel))</text>")
        svg.append(
            "<text transform=\"translate(18,\(f(top + (height - top - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>")
        if !legend.isEmpty {
            svg.append(
                "<rect x=\"\(f(width - right - 156))\" y=\"\(f(top + 4))\" width=\"150\" height=\"\(f(Double(legend.count) * 16 + 6))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>"
            )
        }
        for (index, entry) in legend.enumerated() {
            let y = top + 16 + Double(index) * 16
            svg.append("<rect x=\"\(f(width - right - 150))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>")
            svg.append("<text x=\"\(f(width - right - 135))\" y=\"\(f(y))\">\(escaped(entry.label))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Writes the document atomically.
    func write(to path: String) throws {
        try AtomicFile.write(Data(render().utf8), to: URL(fileURLWithPath: path))
    }

    /// One document with `plots` in a row (give each its own ``clipID``); their animations
    /// share the document's clock.
    static func sideBySide(_ plots: [SVGPlot]) -> String {
        let width = plots.reduce(0) { $0 + $1.width }, height = plots.map(\.height).max() ?? 0
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        ]
        var offset = 0.0
        for plot in plots {
            svg.append(plot.render(offset: offset))
            offset += plot.width
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private func f(_ value: Double) -> String { String(format: "%.2f", value) }

    private func label(_ value: Double) -> String {
        let text = String(format: "%.4g", value)
        return text == "-0" ? "0" : text
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// About six round tick values inside `range`.
    private func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span.isFinite else { return [] }
        guard span > 0 else { return [range.lowerBound] }
        let rough = span / 6
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        // A span near the smallest subnormal rounds the step to 0.
        guard step > 0, step.isFinite, span / step <= 100 else { return [range.lowerBound] }
        let first = ceil(range.lowerBound / step) * step
        return stride(from: first, through: range.upperBound + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }
}

/// A colour scale from dark blue (0) through teal and green to yellow (1).
func heatColor(_ t: Double) -> String {
    let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
    let clamped = Swift.min(Swift.max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
    let index = Swift.min(Int(clamped), stops.count - 2), fraction = clamped - Double(index)
    let (a, b) = (stops[index], stops[index + 1])
    func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * fraction).rounded()) }
    return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
