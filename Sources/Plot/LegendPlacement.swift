/// Where the legend goes: in the corner of the plot that covers the fewest data points, or to
/// the right of the plot when every corner would cover some. All positions in canvas points.
extension Legend {
    /// The rows the legend shows for `entries`: each in order, except that a once-per-label
    /// entry is dropped when an earlier row already has its label.
    static func rows(_ entries: [LegendEntry]) -> [LegendEntry] {
        var rows: [LegendEntry] = []
        for entry in entries where !(entry.oncePerLabel && rows.contains { $0.label == entry.label }) { rows.append(entry) }
        return rows
    }

    /// The non-empty labels of `entries`, before `rows` merges any (what the margins and the
    /// inside-or-outside test are sized from).
    static func labels(_ entries: [LegendEntry]) -> [String] {
        entries.map(\.label).filter { !$0.isEmpty }
    }

    /// Whether a legend of `labels` inside `plot` would cover one of the `occupied` points in
    /// every corner, so that it belongs outside.
    static func coversData(labels: [String], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) -> Bool {
        bestCorner(labels: labels, canvas: canvas, plot: plot, occupied: occupied).covered > 0
    }

    /// Draws `entries` in the best corner of `plot`.
    static func draw(_ entries: [LegendEntry], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) {
        draw(entries, canvas: canvas, at: bestCorner(labels: entries.map(\.label), canvas: canvas, plot: plot, occupied: occupied).origin)
    }

    /// Draws `entries` to the right of `plot`, top-aligned with it, in the room `Axes` reserved.
    static func drawOutside(_ entries: [LegendEntry], canvas: Canvas, plot: Rect) {
        draw(entries, canvas: canvas, at: (plot.x + plot.width + 8, plot.y))
    }

    /// The top-left corner of the legend box in the corner covering the fewest points (top right
    /// preferred on ties, then top left, bottom right, bottom left), and how many it covers.
    static func bestCorner(labels: [String], canvas: Canvas, plot: Rect, occupied: [(Double, Double)]) -> (origin: (Double, Double), covered: Int) {
        let width = width(of: labels, canvas: canvas), height = height(rows: labels.count, canvas: canvas)
        let corners = [(plot.x + plot.width - width - 6, plot.y + 6), (plot.x + 6, plot.y + 6),
                       (plot.x + plot.width - width - 6, plot.y + plot.height - height - 6), (plot.x + 6, plot.y + plot.height - height - 6)]
        func covered(_ corner: (Double, Double)) -> Int {
            occupied.reduce(0) { count, p in
                count + (p.0 >= corner.0 - 4 && p.0 <= corner.0 + width + 4 && p.1 >= corner.1 - 4 && p.1 <= corner.1 + height + 4 ? 1 : 0)
            }
        }
        var best = corners[0], bestCount = covered(corners[0])
        for corner in corners.dropFirst() {
            let count = covered(corner)
            if count < bestCount { (best, bestCount) = (corner, count) }
        }
        return (best, bestCount)
    }
}
