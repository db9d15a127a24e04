/// A line series: points joined in order, optional markers, optional exponential smoothing
/// (the smoothed line drawn over the raw series, which is kept faint behind it).
public struct LineSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var label: String
    public var color: Color?
    public var width: Double = 1.8
    public var markers = false
    public var dashed = false
    /// Exponential smoothing weight of the previous value (0.6 = moderate); nil draws the raw series only.
    public var smoothing: Double?

    public init(x: [Double], y: [Double], label: String = "", color: Color? = nil, markers: Bool = false,
                dashed: Bool = false, smoothing: Double? = nil) {
        precondition(x.count == y.count, "line series x and y differ in length")
        self.x = x
        self.y = y
        self.label = label
        self.color = color
        self.markers = markers
        self.dashed = dashed
        self.smoothing = smoothing
    }
}

/// A scatter series: one dot per point; with `categories`, coloured by category with a legend of
/// `categoryNames`; `pointLabels` writes a label beside each point.
public struct ScatterSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var categories: [Int]?
    public var categoryNames: [String]
    public var label: String
    public var color: Color?
    public var alpha: Double
    public var radius: Double
    public var pointLabels: [String]?

    public init(x: [Double], y: [Double], categories: [Int]? = nil, categoryNames: [String] = [], label: String = "",
                color: Color? = nil, alpha: Double = 1, radius: Double = 2.5, pointLabels: [String]? = nil) {
        precondition(x.count == y.count, "scatter x and y differ in length")
        self.x = x
        self.y = y
        self.categories = categories
        self.categoryNames = categoryNames
        self.label = label
        self.color = color
        self.alpha = alpha
        self.radius = radius
        self.pointLabels = pointLabels
    }
}

/// Grouped bars: one group of bars per category on the x axis, one bar per series in each group.
public struct BarSeries: Sendable {
    public var categories: [String]
    public var groups: [(label: String, values: [Double])]
    /// Categories drawn with a dark outline (e.g. active units).
    public var highlighted: Set<Int>

    public init(categories: [String], groups: [(label: String, values: [Double])], highlighted: Set<Int> = []) {
        precondition(groups.allSatisfy { $0.values.count == categories.count }, "bar values must match the categories")
        self.categories = categories
        self.groups = groups
        self.highlighted = highlighted
    }
}

/// A matrix drawn as coloured cells (viridis) with a colour bar.
public struct Heatmap: Sendable {
    /// values[row][column].
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var colorbarLabel: String
    /// Colour range; nil spans the data.
    public var range: ClosedRange<Double>?
    /// Print each cell's value inside it.
    public var annotate: Bool

    public init(values: [[Double]], rowLabels: [String], columnLabels: [String], colorbarLabel: String = "",
                range: ClosedRange<Double>? = nil, annotate: Bool = false) {
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.colorbarLabel = colorbarLabel
        self.range = range
        self.annotate = annotate
    }
}

/// Everything an axes panel can draw.
public enum Mark: Sendable {
    case line(LineSeries)
    case scatter(ScatterSeries)
    case bars(BarSeries)
    case heatmap(Heatmap)
    /// A horizontal line at y (e.g. a target), labelled at its right end.
    case horizontalLine(y: Double, label: String, color: Color, dashed: Bool)
    /// A vertical line at x.
    case verticalLine(x: Double, label: String, color: Color, dashed: Bool)
    /// A shaded x-range (e.g. epochs where |KL − C| > 1 nat).
    case band(from: Double, to: Double, label: String, color: Color)
    /// Text at a data position.
    case annotation(x: Double, y: Double, text: String)
}
