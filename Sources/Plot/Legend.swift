/// One legend row: a swatch of the mark's kind in its colour, then the label.
struct LegendEntry {
    enum Kind { case line, dashedLine, dot, box }
    var label: String
    var color: Color
    var kind: Kind
    /// Shown only if no earlier row has the same label (bands marking many ranges as one thing).
    var oncePerLabel = false
}

/// The legend box: its size and how it draws, in canvas points. Where it goes is in
/// `LegendPlacement.swift`.
enum Legend {
    /// The height of one row: the text (the figure's tick size) and 4 points.
    static func rowHeight(_ canvas: Canvas) -> Double { canvas.sizes.tick + 4 }

    /// Width of a legend holding `labels`.
    static func width(of labels: [String], canvas: Canvas) -> Double {
        (labels.map { Text.measure(canvas, $0, size: canvas.sizes.tick).width }.max() ?? 0) + 30
    }

    /// Height of a legend of `rows` rows.
    static func height(rows: Int, canvas: Canvas) -> Double { Double(rows) * rowHeight(canvas) + 8 }

    /// Draws the legend box with its top-left corner at `origin`.
    static func draw(_ entries: [LegendEntry], canvas: Canvas, at origin: (Double, Double)) {
        let width = width(of: entries.map(\.label), canvas: canvas), height = height(rows: entries.count, canvas: canvas)
        let (x, y) = origin
        canvas.rectangle(x, y, width, height, fill: .white, stroke: Color(hex: 0xCCCCCC), alpha: 0.88, lineWidth: 0.6)
        for (i, entry) in entries.enumerated() {
            let cy = y + 4 + rowHeight(canvas) * (Double(i) + 0.5)
            switch entry.kind {
            case .line: canvas.line(from: (x + 6, cy), to: (x + 22, cy), color: entry.color, width: 2)
            case .dashedLine: canvas.line(from: (x + 6, cy), to: (x + 22, cy), color: entry.color, width: 1.5, dash: [4, 2])
            case .dot: canvas.circle(x + 14, cy, radius: 3, fill: entry.color)
            case .box: canvas.rectangle(x + 8, cy - 4, 12, 8, fill: entry.color)
            }
            Text.draw(canvas, entry.label, x: x + 26, y: cy, size: canvas.sizes.tick, baseline: .middle)
        }
    }
}
