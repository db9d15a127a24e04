/// One box of a box plot, its numbers computed by the caller (the Plot layer draws, it does not
/// do statistics): the quartiles, the whisker ends, and the values to show as dots.
public struct BoxSummary: Sendable {
    public var lower: Double
    public var median: Double
    public var upper: Double
    public var low: Double
    public var high: Double
    public var points: [Double]
    public init(lower: Double, median: Double, upper: Double, low: Double, high: Double, points: [Double]) {
        self.lower = lower
        self.median = median
        self.upper = upper
        self.low = low
        self.high = high
        self.points = points
    }
}

/// Box plots over categories (category i spans data x from i to i + 1): a box from the lower to
/// the upper quartile, a dark line at the median, whiskers to `low` and `high`, and every value
/// as a dot spread across the box's middle, so that a handful of seeds reads as what it is. A
/// category with no values stays empty.
public struct BoxSeries: Sendable {
    public var categories: [String]
    public var boxes: [BoxSummary?]
    /// One colour per category (e.g. one per method); nil: the first palette colour for all.
    public var colors: [Color]?
    /// Legend rows (label, colour), e.g. one per method, when the categories are its values.
    public var legend: [(label: String, color: Color)]

    public init(categories: [String], boxes: [BoxSummary?], colors: [Color]? = nil, legend: [(label: String, color: Color)] = []) {
        precondition(boxes.count == categories.count, "one box per category")
        precondition(colors.map { $0.count == categories.count } ?? true, "one colour per category")
        self.categories = categories
        self.boxes = boxes
        self.colors = colors
        self.legend = legend
    }
}

extension BoxSeries: Artist {
    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        let values = boxes.compactMap { $0 }.flatMap { [$0.low, $0.high] + $0.points }
        return DataLimits(x: DataLimits.span([0, Double(categories.count)], scale: xScale), y: DataLimits.span(values, scale: yScale))
    }

    var xCategories: [String]? { categories }

    var legendEntries: [LegendEntry] { legend.map { LegendEntry(label: $0.label, color: $0.color, kind: .box) } }

    func markedPoints(_ transform: DataTransform) -> [(Double, Double)] {
        boxes.enumerated().flatMap { i, box in (box?.points ?? []).map { transform(Double(i) + 0.5, $0) } }
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        for (i, box) in boxes.enumerated() {
            guard let box else { continue }
            let color = colors?[i] ?? Color.category(0)
            let left = transform.x(Double(i) + 0.2), right = transform.x(Double(i) + 0.8), middle = transform.x(Double(i) + 0.5)
            let top = transform.y(box.upper), bottom = transform.y(box.lower)
            canvas.line(from: (middle, transform.y(box.high)), to: (middle, top), color: .axis, width: 1)
            canvas.line(from: (middle, bottom), to: (middle, transform.y(box.low)), color: .axis, width: 1)
            for end in [box.low, box.high] {
                canvas.line(from: (transform.x(Double(i) + 0.38), transform.y(end)), to: (transform.x(Double(i) + 0.62), transform.y(end)), color: .axis, width: 1)
            }
            var fill = color
            fill.alpha = 0.35
            canvas.rectangle(left, min(top, bottom), right - left, max(abs(bottom - top), 0.5), fill: fill, stroke: color, lineWidth: 1)
            canvas.line(from: (left, transform.y(box.median)), to: (right, transform.y(box.median)), color: .ink, width: 1.8)
            // Dots spread evenly over the box's middle half, in the order given (seed order).
            let count = box.points.count
            for (k, value) in box.points.enumerated() where value.isFinite {
                let offset = count > 1 ? -0.15 + 0.3 * Double(k) / Double(count - 1) : 0
                canvas.circle(transform.x(Double(i) + 0.5 + offset), transform.y(value), radius: 2.2, fill: Color(red: color.red * 0.6, green: color.green * 0.6, blue: color.blue * 0.6), alpha: 0.9)
            }
        }
    }
}
