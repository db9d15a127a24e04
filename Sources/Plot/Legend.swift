/// One legend row.
struct LegendEntry {
    enum Kind { case line, dashedLine, dot, box }
    var label: String
    var color: Color
    var kind: Kind
}

/// Draws the legend in the corner of the plot that covers the fewest data points.
enum Legend {
    static let size = 9.0

    static let rowHeight = size + 4

    /// Width of a legend holding `labels`.
    static func width(of labels: [String], canvas: Canvas) -> Double {
        (labels.map { Text.measure(canvas, $0, size: size).width }.max() ?? 0) + 30
    }

    /// The fewest data points any corner's legend box would cover.
    static func coverage(labels: [String], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) -> Int {
        bestCorner(labels: labels, canvas: canvas, plot: plot, occupied: occupied).covered
    }

    static func draw(_ entries: [LegendEntry], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) {
        draw(entries, canvas: canvas, at: bestCorner(labels: entries.map(\.label), canvas: canvas, plot: plot, occupied: occupied).origin)
    }

    static func bestCorner(labels: [String], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) -> (origin: (Double, Double), covered: Int) {
        let width = width(of: labels, canvas: canvas), height = Double(labels.count) * rowHeight + 8
        let corners = [(plot.x + plot.width - width - 6, plot.y + 6), (plot.x + 6, plot.y + 6),
                       (plot.x + plot.width - width - 6, plot.y + plot.height - height - 6), (plot.x + 6, plot.y + plot.height - height - 6)]
        func covered(_ corner: (Double, Double)) -> Int {
            occupied.reduce(0) { count, p in
                count + (p.0 >= corner.0 - 4 && p.0 <= corner.0 + width + 4 && p.1 >= corner.1 - 4 && p.1 <= corner.1 + height + 4 ? 1 : 0)
            }
        }
        // First corner with the least coverage (top right preferred on ties).
        var best = corners[0], bestCount = covered(corners[0])
        for corner in corners.dropFirst() {
            let count = covered(corner)
            if count < bestCount { (best, bestCount) = (corner, count) }
        }
        return (best, bestCount)
    }

    /// Draws the legend box with its top-left corner at `origin`.
    static func draw(_ entries: [LegendEntry], canvas: Canvas, at origin: (Double, Double)) {
        let width = width(of: entries.map(\.label), canvas: canvas), height = Double(entries.count) * rowHeight + 8
        let (x, y) = origin
        canvas.rectangle(x, y, width, height, fill: .white, stroke: Color(hex: 0xCCCCCC), alpha: 0.88, lineWidth: 0.6)
        for (i, entry) in entries.enumerated() {
            let cy = y + 4 + rowHeight * (Double(i) + 0.5)
            switch entry.kind {
            case .line: canvas.line(from: (x + 6, cy), to: (x + 22, cy), color: entry.color, width: 2)
            case .dashedLine: canvas.line(from: (x + 6, cy), to: (x + 22, cy), color: entry.color, width: 1.5, dash: [4, 2])
            case .dot: canvas.circle(x + 14, cy, radius: 3, fill: entry.color)
            case .box: canvas.rectangle(x + 8, cy - 4, 12, 8, fill: entry.color)
            }
            Text.draw(canvas, entry.label, x: x + 26, y: cy, size: size, baseline: .middle)
        }
    }
}
