/// A line series in data coordinates: points joined in order, optional markers, optional
/// exponential smoothing (the smoothed line drawn over the raw series, which is kept faint
/// behind it). Non-finite points break the line.
public struct LineSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var label: String
    /// nil takes the next colour of the axes' cycle.
    public var color: Color?
    /// Stroke width in points.
    public var width: Double = 1.8
    public var markers = false
    public var dashed = false
    /// Exponential smoothing weight of the previous value (0.6 = moderate); nil draws the raw series only.
    public var smoothing: Double?

    /// A series through (x[i], y[i]), in data coordinates; `x` and `y` must have the same length.
    public init(x: [Double], y: [Double], label: String = "", color: Color? = nil, markers: Bool = false,
                dashed: Bool = false, smoothing: Double? = nil) {
        precondition(x.count == y.count, "line series x and y differ in length")
        (self.x, self.y) = (x, y)
        (self.label, self.color) = (label, color)
        (self.markers, self.dashed, self.smoothing) = (markers, dashed, smoothing)
    }
}

/// Draws a `LineSeries` in its resolved colour.
struct LineArtist: Artist {
    let series: LineSeries
    let color: Color

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span(series.x, scale: xScale), y: DataLimits.span(series.y, scale: yScale))
    }

    var legendEntries: [LegendEntry] {
        series.label.isEmpty ? [] : [LegendEntry(label: series.label, color: color, kind: series.dashed ? .dashedLine : .line)]
    }

    func markedPoints(_ transform: DataTransform) -> [(Double, Double)] { transform.points(series.x, series.y) }

    /// The vertices and five points along each segment: a legend must not sit on a line between markers.
    func occupiedPoints(_ transform: DataTransform) -> [(Double, Double)] {
        let points = markedPoints(transform).filter { $0.0.isFinite && $0.1.isFinite }
        var along: [(Double, Double)] = []
        for index in points.indices {
            let a = points[index]
            along.append(a)
            guard index + 1 < points.count else { continue }
            let b = points[index + 1]
            for step in 1..<6 {
                let t = Double(step) / 6
                along.append((a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
            }
        }
        return along
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let raw = markedPoints(transform)
        if let weight = series.smoothing {
            canvas.polyline(raw, color: color, width: series.width * 0.7, alpha: 0.3)
            let kept = zip(series.x, series.y).filter { $0.1.isFinite }
            canvas.polyline(transform.points(kept.map(\.0), LineArtist.smoothed(kept.map(\.1), weight: weight)), color: color, width: series.width)
        } else {
            canvas.polyline(raw, color: color, width: series.width, dash: series.dashed ? [5, 3] : [])
        }
        if series.markers { for (x, y) in raw where x.isFinite && y.isFinite { canvas.circle(x, y, radius: 2.4, fill: color) } }
    }

    /// Exponential moving average of finite `values` (each new value weighs `1 − weight`).
    static func smoothed(_ values: [Double], weight: Double) -> [Double] {
        var smoothed: [Double] = []
        var last: Double?
        for value in values {
            let next = last.map { weight * $0 + (1 - weight) * value } ?? value
            smoothed.append(next)
            last = next
        }
        return smoothed
    }
}
