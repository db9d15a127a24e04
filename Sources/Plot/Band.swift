/// A shaded x range across the plot's full height (e.g. epochs where |KL − C| > 1 nat), in a
/// faint version of its colour so the data stays readable over it.
struct Band: Artist {
    /// The range's ends, in data x (either order).
    let from: Double
    let to: Double
    let label: String
    let color: Color

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span([from, to], scale: xScale), y: nil)
    }

    /// Callers mark many separate ranges with one label (one band per epoch), so the row is
    /// shown once per label.
    var legendEntries: [LegendEntry] {
        label.isEmpty ? [] : [LegendEntry(label: label, color: color, kind: .box, oncePerLabel: true)]
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let plot = transform.plot
        let x0 = transform.x(from), x1 = transform.x(to)
        canvas.rectangle(min(x0, x1), plot.y, abs(x1 - x0), plot.height, fill: color, alpha: 0.18)
    }
}
