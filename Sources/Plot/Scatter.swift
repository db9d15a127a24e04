/// A scatter series in data coordinates: one dot per point; with `categories`, coloured by
/// category with a legend of `categoryNames`; `pointLabels` writes a label beside each point.
public struct ScatterSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    /// Each point's category (an index into the categorical palette and `categoryNames`).
    public var categories: [Int]?
    public var categoryNames: [String]
    public var label: String
    /// nil takes the next colour of the axes' cycle (ignored with `categories`).
    public var color: Color?
    public var alpha: Double
    /// Dot radius in points.
    public var radius: Double
    public var pointLabels: [String]?

    /// Dots at (x[i], y[i]), in data coordinates; `x` and `y` must have the same length.
    public init(x: [Double], y: [Double], categories: [Int]? = nil, categoryNames: [String] = [], label: String = "",
                color: Color? = nil, alpha: Double = 1, radius: Double = 2.5, pointLabels: [String]? = nil) {
        precondition(x.count == y.count, "scatter x and y differ in length")
        (self.x, self.y, self.pointLabels) = (x, y, pointLabels)
        (self.categories, self.categoryNames) = (categories, categoryNames)
        (self.label, self.color, self.alpha, self.radius) = (label, color, alpha, radius)
    }
}

/// Draws a `ScatterSeries`: in one resolved colour, or (color nil) by category.
struct ScatterArtist: Artist {
    let series: ScatterSeries
    /// The single colour; nil when the points are coloured by category.
    let color: Color?

    /// `color` is the series' single colour, unused when it has categories.
    init(_ series: ScatterSeries, color: Color) {
        self.series = series
        self.color = series.categories == nil ? color : nil
    }

    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span(series.x, scale: xScale), y: DataLimits.span(series.y, scale: yScale))
    }

    /// The categories present, in ascending order: the legend's order is the drawing order.
    private var presentCategories: [Int] { Set(series.categories ?? []).sorted() }

    private func name(of category: Int) -> String {
        category < series.categoryNames.count ? series.categoryNames[category] : String(category)
    }

    var legendEntries: [LegendEntry] {
        guard let color else { return presentCategories.map { LegendEntry(label: name(of: $0), color: Color.category($0), kind: .dot) } }
        return series.label.isEmpty ? [] : [LegendEntry(label: series.label, color: color, kind: .dot)]
    }

    func occupiedPoints(_ transform: DataTransform) -> [(Double, Double)] { transform.points(series.x, series.y) }
    func markedPoints(_ transform: DataTransform) -> [(Double, Double)] { transform.points(series.x, series.y) }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let points = transform.points(series.x, series.y)
        guard let color else {
            // Category by category, so that later categories sit on top in legend order.
            let categories = series.categories ?? []
            for category in presentCategories {
                for (index, point) in points.enumerated() where categories[index] == category {
                    canvas.circle(point.0, point.1, radius: series.radius, fill: Color.category(category), alpha: series.alpha)
                }
            }
            return
        }
        for point in points { canvas.circle(point.0, point.1, radius: series.radius, fill: color, alpha: series.alpha) }
    }

    /// Point labels beside their points, on whichever side keeps the label inside the panel.
    func drawUnclipped(in canvas: Canvas, transform: DataTransform, panel: Rect) {
        guard let labels = series.pointLabels else { return }
        for ((x, y), text) in zip(transform.points(series.x, series.y), labels) {
            let width = Text.measure(canvas, text, size: canvas.sizes.tick).width
            let rightSide = x + 7 + width <= panel.x + panel.width
            Text.draw(canvas, text, x: rightSide ? x + 7 : x - 7, y: y, size: canvas.sizes.tick, anchor: rightSide ? .start : .end, baseline: .middle)
        }
    }
}
