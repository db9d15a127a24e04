/// A straight line across the whole plot at one data value: horizontal at a y (a target, an
/// anchor) or vertical at an x (an event). It stretches the limits of its own axis only.
struct ReferenceLine: Artist {
    enum Orientation { case horizontal, vertical }
    let orientation: Orientation
    /// The data coordinate on the axis the line crosses (y for horizontal, x for vertical).
    let value: Double
    let label: String
    let color: Color
    let dashed: Bool

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        switch orientation {
        case .horizontal: return DataLimits(x: nil, y: DataLimits.span([value], scale: yScale))
        case .vertical: return DataLimits(x: DataLimits.span([value], scale: xScale), y: nil)
        }
    }

    var legendEntries: [LegendEntry] {
        label.isEmpty ? [] : [LegendEntry(label: label, color: color, kind: dashed ? .dashedLine : .line)]
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let plot = transform.plot
        let (from, to): ((Double, Double), (Double, Double))
        switch orientation {
        case .horizontal:
            let y = transform.y(value)
            (from, to) = ((plot.x, y), (plot.x + plot.width, y))
        case .vertical:
            let x = transform.x(value)
            (from, to) = ((x, plot.y), (x, plot.y + plot.height))
        }
        canvas.line(from: from, to: to, color: color, width: 1.2, dash: dashed ? [5, 3] : [])
    }
}
