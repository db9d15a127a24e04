/// The span of an artist's data on each axis, in data coordinates; nil on an axis where it has
/// no value the axis can show. Axes unions these and pads the result into its limits.
struct DataLimits: Equatable {
    var x: ClosedRange<Double>?
    var y: ClosedRange<Double>?

    static let none = DataLimits(x: nil, y: nil)

    /// The span of the values an axis on `scale` can show: finite ones, and only positive ones on
    /// a log axis (a zero there has no position, so it must not stretch the limits).
    static func span(_ values: [Double], scale: AxisScale) -> ClosedRange<Double>? {
        let shown = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard let low = shown.min(), let high = shown.max() else { return nil }
        return low...high
    }

    /// The smallest limits holding both.
    func union(_ other: DataLimits) -> DataLimits {
        func join(_ a: ClosedRange<Double>?, _ b: ClosedRange<Double>?) -> ClosedRange<Double>? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
        }
        return DataLimits(x: join(x, other.x), y: join(y, other.y))
    }
}

/// One kind of mark in an axes panel (matplotlib's split): it owns its data limits, its legend
/// rows and its drawing, so `Axes` only lays out, scales and ticks, and asks its artists.
/// Colours are resolved before an artist is made (see `Mark.artist(cycle:)`), so every
/// property here is a pure function of the artist and the transform.
protocol Artist {
    /// The artist's data span on each axis, in data coordinates, for axes on these scales.
    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits
    /// The legend rows this artist contributes, in drawing order (empty-labelled marks give none).
    var legendEntries: [LegendEntry] { get }
    /// Labels of a categorical x axis (one per unit, ticks at 0.5, 1.5, …); nil for a numeric axis.
    var xCategories: [String]? { get }
    /// Labels of a categorical y axis, first at the top (rows of a table); nil for a numeric axis.
    var yCategories: [String]? { get }
    /// The colour bar this artist needs to the right of the plot, if any.
    var colorBar: ColorBar? { get }
    /// Canvas points a legend must not cover (dots, and points along line segments).
    func occupiedPoints(_ transform: DataTransform) -> [(Double, Double)]
    /// Canvas points where the artist puts a mark (vertices, dots, bar tops). Choosing the
    /// legend's corner counts these on top of `occupiedPoints`, so marked points weigh double.
    func markedPoints(_ transform: DataTransform) -> [(Double, Double)]
    /// Draws the marks, in canvas points through `transform`, clipped to the plot.
    func draw(in canvas: Canvas, transform: DataTransform)
    /// Draws what may stick out of the plot (point labels), after the legend; `panel` is the
    /// whole axes rectangle, in points, which such text must stay inside.
    func drawUnclipped(in canvas: Canvas, transform: DataTransform, panel: Rect)
}

extension Artist {
    var legendEntries: [LegendEntry] { [] }
    var xCategories: [String]? { nil }
    var yCategories: [String]? { nil }
    var colorBar: ColorBar? { nil }
    func occupiedPoints(_ transform: DataTransform) -> [(Double, Double)] { [] }
    func markedPoints(_ transform: DataTransform) -> [(Double, Double)] { [] }
    func drawUnclipped(in canvas: Canvas, transform: DataTransform, panel: Rect) {}
}
