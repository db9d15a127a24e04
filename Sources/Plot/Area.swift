/// A filled range between two curves over x (a min–max band around a mean over seeds), drawn in
/// a faint version of its colour beneath the lines.
public struct AreaSeries: Sendable {
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var label: String
    public var color: Color
    /// Fill opacity.
    public var alpha: Double

    /// The band between `lower[i]` and `upper[i]` at `x[i]`; the three arrays have one length.
    public init(x: [Double], lower: [Double], upper: [Double], label: String = "", color: Color, alpha: Double = 0.18) {
        precondition(x.count == lower.count && x.count == upper.count, "area x, lower and upper differ in length")
        (self.x, self.lower, self.upper) = (x, lower, upper)
        (self.label, self.color, self.alpha) = (label, color, alpha)
    }
}

/// Draws an `AreaSeries` as one closed polygon: along the upper curve, back along the lower one.
struct AreaArtist: Artist {
    let series: AreaSeries

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span(series.x, scale: xScale), y: DataLimits.span(series.lower + series.upper, scale: yScale))
    }

    var legendEntries: [LegendEntry] {
        series.label.isEmpty ? [] : [LegendEntry(label: series.label, color: series.color, kind: .box)]
    }

    func occupiedPoints(_ transform: DataTransform) -> [(Double, Double)] {
        transform.points(series.x, series.upper) + transform.points(series.x, series.lower)
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let kept = series.x.indices.filter { series.x[$0].isFinite && series.lower[$0].isFinite && series.upper[$0].isFinite }
        guard kept.count > 1 else { return }
        let top = kept.map { transform(series.x[$0], series.upper[$0]) }
        let bottom = kept.reversed().map { transform(series.x[$0], series.lower[$0]) }
        canvas.polygon(top + bottom, fill: series.color, alpha: series.alpha)
    }
}
