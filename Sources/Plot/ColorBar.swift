import Foundation

/// The viridis scale beside a heatmap, with ticks and a label: drawn in canvas points to the
/// right of the plot rectangle, its height matching the plot's.
struct ColorBar {
    /// The data values at the bottom and top of the bar.
    let range: ClosedRange<Double>
    let label: String

    /// Room the bar, its tick labels and its label take right of the plot, in points.
    static let margin = 62.0

    /// Where `value` falls in `range`, 0 at the bottom and 1 at the top (a zero-width range
    /// does not divide by zero).
    static func fraction(_ value: Double, of range: ClosedRange<Double>) -> Double {
        (value - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12)
    }

    /// Draws the bar 10 points right of `plot`.
    func draw(on canvas: Canvas, beside plot: Rect) {
        let x = plot.x + plot.width + 10, width = 10.0
        let steps = 64
        for i in 0..<steps {
            let y0 = plot.y + plot.height * Double(steps - 1 - i) / Double(steps)
            // Half a point of overlap so no background shows between the strips.
            canvas.rectangle(x, y0, width, plot.height / Double(steps) + 0.5, fill: Color.viridis(Double(i) / Double(steps - 1)))
        }
        canvas.rectangle(x, plot.y, width, plot.height, fill: nil, stroke: .axis, lineWidth: 0.6)
        let ticks = Ticks.linear(range.lowerBound, range.upperBound, target: 4)
        for (t, tickLabel) in zip(ticks, Ticks.labels(ticks)) {
            let y = plot.y + plot.height * (1 - ColorBar.fraction(t, of: range))
            canvas.line(from: (x + width, y), to: (x + width + 3, y), color: .axis, width: 0.6)
            Text.draw(canvas, tickLabel, x: x + width + 5, y: y, size: canvas.sizes.small, baseline: .middle)
        }
        if !label.isEmpty {
            let tickWidth = Ticks.labels(ticks).map { Text.measure(canvas, $0, size: canvas.sizes.small).width }.max() ?? 0
            Text.draw(canvas, label, x: x + width + 8 + tickWidth + canvas.sizes.tick + 2, y: plot.y + plot.height / 2, size: canvas.sizes.tick,
                      anchor: .middle, baseline: .bottom, vertical: true)
        }
    }
}
