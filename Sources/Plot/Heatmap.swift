import Foundation

/// A matrix drawn as coloured cells (viridis) with a colour bar: cell (row r, column c) covers
/// data x from c to c + 1 and data y from r to r + 1, row 0 at the top.
public struct Heatmap: Sendable {
    /// values[row][column]; a non-finite value leaves its cell light grey.
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var colorbarLabel: String
    /// Colour range; nil spans the data.
    public var range: ClosedRange<Double>?
    /// Print each cell's value inside it.
    public var annotate: Bool

    /// A heatmap of `values` with one label per row and per column.
    public init(values: [[Double]], rowLabels: [String], columnLabels: [String], colorbarLabel: String = "",
                range: ClosedRange<Double>? = nil, annotate: Bool = false) {
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.colorbarLabel = colorbarLabel
        self.range = range
        self.annotate = annotate
    }

    /// The range of the finite values (0…1 when there are none).
    static func span(_ values: [[Double]]) -> ClosedRange<Double> {
        let finite = values.joined().filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        return high > low ? low...high : low...(low + 1)
    }

    /// The range the colours span.
    var colorRange: ClosedRange<Double> { range ?? Heatmap.span(values) }
}

/// A heatmap makes both axes categorical (columns along x, rows down y) and brings a colour bar.
extension Heatmap: Artist {
    func dataLimits(xScale: AxisScale, yScale: AxisScale) -> DataLimits {
        DataLimits(x: DataLimits.span([0, Double(columnLabels.count)], scale: xScale),
                   y: DataLimits.span([0, Double(rowLabels.count)], scale: yScale))
    }

    var xCategories: [String]? { columnLabels }
    var yCategories: [String]? { rowLabels }
    var colorBar: ColorBar? { ColorBar(range: colorRange, label: colorbarLabel) }

    func draw(in canvas: Canvas, transform: DataTransform) {
        let range = colorRange
        for (r, row) in values.enumerated() {
            for (c, value) in row.enumerated() {
                let (x0, y0) = transform(Double(c), Double(r)), (x1, y1) = transform(Double(c + 1), Double(r + 1))
                guard value.isFinite else {
                    canvas.rectangle(x0, y0, x1 - x0, y1 - y0, fill: Color(hex: 0xEEEEEE))   // no value: light grey
                    continue
                }
                let t = ColorBar.fraction(value, of: range)
                canvas.rectangle(x0, y0, x1 - x0, y1 - y0, fill: Color.viridis(t))
                if annotate {
                    let decimals = range.upperBound < 10 ? 2 : (range.upperBound < 100 ? 1 : 0)
                    // Dark text on the light end of viridis, white on the dark end.
                    Text.draw(canvas, String(format: "%.\(decimals)f", value), x: (x0 + x1) / 2, y: (y0 + y1) / 2,
                              size: min(canvas.sizes.small, (y1 - y0) * 0.6), color: t > 0.6 ? .ink : .white, anchor: .middle, baseline: .middle)
                }
            }
        }
    }
}
