import Foundation

/// Layout, scales and ticks of an axes panel, and the frame drawn around its artists.
extension Axes {
    /// Where everything goes: the plot rectangle (canvas points), the data-to-canvas transform
    /// and the ticks (data positions and their labels).
    struct Layout {
        var plot: Rect
        var transform: DataTransform
        var xTicks: [Double], xTickLabels: [String], yTicks: [Double], yTickLabels: [String]
        /// Categories along x (bars, heatmap columns): no vertical grid, labels shrink to fit.
        var categoricalX: Bool
        /// Categories down y (heatmap rows): no grid at all.
        var categoricalY: Bool
    }

    /// The plot rectangle and mappings for `rect` (margins sized from the text they hold).
    func layout(on canvas: Canvas, in rect: Rect) -> (plot: Rect, mapX: AxisMapping, mapY: AxisMapping) {
        let l = layout(artists, on: canvas, in: rect)
        return (l.plot, l.transform.x, l.transform.y)
    }

    /// The layout of `artists` (this axes' own) in `rect`.
    func layout(_ artists: [any Artist], on canvas: Canvas, in rect: Rect) -> Layout {
        let limits = limits(of: artists)
        let xCategories = artists.lazy.compactMap(\.xCategories).first
        let yCategories = artists.lazy.compactMap(\.yCategories).first
        let xTicks: [Double], xTickLabels: [String], yTicks: [Double], yTickLabels: [String]
        if let xCategories {
            (xTicks, xTickLabels) = (Axes.categoryTicks(xCategories), xCategories)
        } else {
            xTicks = xScale == .log ? Ticks.log(limits.x.lowerBound, limits.x.upperBound)
                : Ticks.linear(limits.x.lowerBound, limits.x.upperBound, integers: xIntegerTicks)
            xTickLabels = xScale == .log ? Ticks.logLabels(xTicks) : Ticks.labels(xTicks)
        }
        if let yCategories {
            (yTicks, yTickLabels) = (Axes.categoryTicks(yCategories), yCategories)
        } else {
            yTicks = yScale == .log ? Ticks.log(limits.y.lowerBound, limits.y.upperBound) : Ticks.linear(limits.y.lowerBound, limits.y.upperBound, target: 5)
            yTickLabels = yScale == .log ? Ticks.logLabels(yTicks) : Ticks.labels(yTicks)
        }
        let yTickWidth = yTickLabels.map { Text.measure(canvas, $0, size: canvas.sizes.tick).width }.max() ?? 0
        let left = yTickWidth + 8 + (yLabel.isEmpty ? 0 : canvas.sizes.label + 8) + 2
        let bottom = canvas.sizes.tick + 8 + (xLabel.isEmpty ? 0 : canvas.sizes.label + 8) + 2
        let top = title.isEmpty ? 8 : canvas.sizes.title + 12
        // An outside legend reserves its width even when hidden, so side-by-side panels stay aligned.
        let legendWidth = legendOutside ? Legend.width(of: Legend.labels(artists.flatMap(\.legendEntries)), canvas: canvas) + 8 : 0
        let right = (artists.contains { $0.colorBar != nil } ? ColorBar.margin : 12.0) + legendWidth
        let plot = Rect(x: rect.x + left, y: rect.y + top, width: max(rect.width - left - right, 10), height: max(rect.height - top - bottom, 10))
        let mapX = AxisMapping(scale: xCategories != nil ? .linear : xScale, low: limits.x.lowerBound, high: limits.x.upperBound,
                               start: plot.x, end: plot.x + plot.width)
        // Category rows run top to bottom, like a table's; numeric y grows upwards.
        let mapY = yCategories != nil
            ? AxisMapping(scale: .linear, low: limits.y.lowerBound, high: limits.y.upperBound, start: plot.y, end: plot.y + plot.height)
            : AxisMapping(scale: yScale, low: limits.y.lowerBound, high: limits.y.upperBound, start: plot.y + plot.height, end: plot.y)
        return Layout(plot: plot, transform: DataTransform(plot: plot, x: mapX, y: mapY), xTicks: xTicks, xTickLabels: xTickLabels,
                      yTicks: yTicks, yTickLabels: yTickLabels, categoricalX: xCategories != nil, categoricalY: yCategories != nil)
    }

    /// Ticks in the middle of each category's unit.
    static func categoryTicks(_ categories: [String]) -> [Double] { categories.indices.map { Double($0) + 0.5 } }

    /// Limits around `span` (data coordinates), widened by 4% each side when `pad` so marks do
    /// not sit on the frame; a single value gets a range around it, no data a default range.
    static func padded(_ span: ClosedRange<Double>?, scale: AxisScale, pad: Bool) -> ClosedRange<Double> {
        guard var low = span?.lowerBound, var high = span?.upperBound else { return scale == .log ? 1...10 : 0...1 }
        if scale == .log {
            if high <= low { high = low * 10 }
            let margin = pad ? pow(10, 0.04 * (log10(high) - log10(low))) : 1
            return (low / margin)...(high * margin)
        }
        if high <= low { (low, high) = (low - max(abs(low) * 0.1, 1), high + max(abs(high) * 0.1, 1)) }
        let margin = pad ? 0.04 * (high - low) : 0
        return (low - margin)...(high + margin)
    }

    /// The title over the plot and the grid behind the marks (none behind a heatmap's cells).
    func drawTitleAndGrid(_ l: Layout, canvas: Canvas, in rect: Rect) {
        let plot = l.plot
        if !title.isEmpty {
            Text.draw(canvas, title, x: plot.x + plot.width / 2, y: rect.y + 2, size: canvas.sizes.title, anchor: .middle, baseline: .top, bold: true)
        }
        guard !l.categoricalY else { return }
        for t in l.yTicks { canvas.line(from: (plot.x, l.transform.y(t)), to: (plot.x + plot.width, l.transform.y(t)), color: .grid, width: 0.6) }
        guard !l.categoricalX else { return }
        for t in l.xTicks { canvas.line(from: (l.transform.x(t), plot.y), to: (l.transform.x(t), plot.y + plot.height), color: .grid, width: 0.6) }
    }

    /// The axis lines, ticks, tick labels and axis labels, over the marks.
    func drawFrame(_ l: Layout, canvas: Canvas, in rect: Rect) {
        let plot = l.plot
        canvas.line(from: (plot.x, plot.y + plot.height), to: (plot.x + plot.width, plot.y + plot.height), color: .axis, width: 0.8)
        canvas.line(from: (plot.x, plot.y), to: (plot.x, plot.y + plot.height), color: .axis, width: 0.8)
        let xLabelSize = fittedTickSize(canvas, l.xTickLabels, slot: l.categoricalX ? plot.width / Double(max(l.xTickLabels.count, 1)) : .infinity)
        var lastRight = -Double.infinity
        for (t, label) in zip(l.xTicks, l.xTickLabels) {
            let x = l.transform.x(t)
            guard x >= plot.x - 0.5 && x <= plot.x + plot.width + 0.5 else { continue }
            canvas.line(from: (x, plot.y + plot.height), to: (x, plot.y + plot.height + 3), color: .axis, width: 0.8)
            let width = Text.measure(canvas, label, size: xLabelSize).width
            guard x - width / 2 > lastRight + 3 else { continue }   // skip a label that would overlap its neighbour
            Text.draw(canvas, label, x: x, y: plot.y + plot.height + 5, size: xLabelSize, anchor: .middle, baseline: .top)
            lastRight = x + width / 2
        }
        for (t, label) in zip(l.yTicks, l.yTickLabels) {
            let y = l.transform.y(t)
            guard y >= plot.y - 0.5 && y <= plot.y + plot.height + 0.5 else { continue }
            canvas.line(from: (plot.x - 3, y), to: (plot.x, y), color: .axis, width: 0.8)
            Text.draw(canvas, label, x: plot.x - 5, y: y, size: canvas.sizes.tick, anchor: .end, baseline: .middle)
        }
        if !xLabel.isEmpty {
            Text.draw(canvas, xLabel, x: plot.x + plot.width / 2, y: rect.y + rect.height - 2, size: canvas.sizes.label, anchor: .middle, baseline: .bottom)
        }
        if !yLabel.isEmpty {
            Text.draw(canvas, yLabel, x: rect.x + 2 + canvas.sizes.label, y: plot.y + plot.height / 2, size: canvas.sizes.label,
                      anchor: .middle, baseline: .bottom, vertical: true)
        }
    }

    /// The largest tick font (down to 6 pt) at which every label fits its slot.
    private func fittedTickSize(_ canvas: Canvas, _ labels: [String], slot: Double) -> Double {
        guard slot.isFinite else { return canvas.sizes.tick }
        var size = canvas.sizes.tick
        while size > 6, (labels.map { Text.measure(canvas, $0, size: size).width }.max() ?? 0) > slot - 2 { size -= 0.5 }
        return size
    }
}
