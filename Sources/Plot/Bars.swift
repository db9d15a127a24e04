/// Grouped bars: one group of bars per category on the x axis (category i spans data x from i
/// to i + 1), one bar per series in each group, rising from y = 0 to its value.
public struct BarSeries: Sendable {
    public var categories: [String]
    public var groups: [(label: String, values: [Double])]
    /// Categories drawn with a dark outline (e.g. active units).
    public var highlighted: Set<Int>
    /// One colour per category (e.g. the colour of the same dimension's line in a neighbouring
    /// panel) instead of one per group; then the groups have no legend rows.
    public var categoryColors: [Color]?

    /// Bars for `categories`, each group holding one value per category.
    public init(categories: [String], groups: [(label: String, values: [Double])], highlighted: Set<Int> = [],
                categoryColors: [Color]? = nil) {
        precondition(groups.allSatisfy { $0.values.count == categories.count }, "bar values must match the categories")
        precondition(categoryColors.map { $0.count == categories.count } ?? true, "one colour per category")
        self.categories = categories
        self.groups = groups
        self.highlighted = highlighted
        self.categoryColors = categoryColors
    }
}

/// Bars colour their groups from the categorical palette (group g in colour g), or each
/// category in its own given colour, and put their categories on the x axis.
extension BarSeries: Artist {
    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        // The baseline at 0 is always shown, so bar heights read true.
        DataLimits(x: DataLimits.span([0, Double(categories.count)], scale: xScale),
                   y: DataLimits.span([0] + groups.flatMap(\.values), scale: yScale))
    }

    var legendEntries: [LegendEntry] {
        guard categoryColors == nil else { return [] }
        return groups.enumerated().filter { !$0.element.label.isEmpty }.map { LegendEntry(label: $0.element.label, color: Color.category($0.offset), kind: .box) }
    }

    var xCategories: [String]? { categories }

    /// The left and right canvas x of group `group`'s bar in category `index`: the groups share
    /// the middle 80% of the category's width.
    private func span(group: Int, index: Int, _ transform: DataTransform) -> (Double, Double) {
        let barWidth = 0.8 / Double(max(groups.count, 1))
        return (transform.x(Double(index) + 0.1 + Double(group) * barWidth), transform.x(Double(index) + 0.1 + Double(group + 1) * barWidth))
    }

    /// The top centre of every drawn bar.
    func markedPoints(_ transform: DataTransform) -> [(Double, Double)] {
        groups.enumerated().flatMap { g, group in
            group.values.enumerated().filter { $0.element.isFinite }.map { i, value in
                let (x0, x1) = span(group: g, index: i, transform)
                return ((x0 + x1) / 2, transform.y(value))
            }
        }
    }

    func draw(in canvas: Canvas, transform: DataTransform) {
        for (g, group) in groups.enumerated() {
            for (i, value) in group.values.enumerated() where value.isFinite {
                let (x0, x1) = span(group: g, index: i, transform)
                let y0 = transform.y(0), y1 = transform.y(value)
                canvas.rectangle(x0, min(y0, y1), max(x1 - x0 - 0.5, 0.5), abs(y1 - y0), fill: categoryColors?[i] ?? Color.category(g),
                                 stroke: highlighted.contains(i) ? Color.ink : nil, lineWidth: 1.2)
            }
        }
    }
}
