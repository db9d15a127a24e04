import Foundation

/// A rectangle on the canvas, in points.
public struct Rect: Equatable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// One chart: axes with ticks, grid, labels, title, marks and a legend placed where it covers
/// the least data.
public struct Axes: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var marks: [Mark]
    public var showLegend: Bool
    /// Put the legend to the right of the plot instead of inside it (for dense scatters).
    public var legendOutside: Bool
    /// Only whole-number x ticks (epochs, steps).
    public var xIntegerTicks: Bool

    public init(title: String = "", xLabel: String = "", yLabel: String = "", xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil,
                marks: [Mark] = [], showLegend: Bool = true, legendOutside: Bool = false, xIntegerTicks: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.xLimits = xLimits
        self.yLimits = yLimits
        self.marks = marks
        self.showLegend = showLegend
        self.legendOutside = legendOutside
        self.xIntegerTicks = xIntegerTicks
    }

    static let tickSize = 9.0, labelSize = 10.0, titleSize = 11.0

    /// The data limits the axes will show (after padding), for sharing limits between panels.
    public func dataLimits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var xs: [Double] = [], ys: [Double] = []
        for mark in marks {
            switch mark {
            case .line(let s): xs += s.x; ys += s.y
            case .scatter(let s): xs += s.x; ys += s.y
            case .horizontalLine(let y, _, _, _): ys.append(y)
            case .verticalLine(let x, _, _, _): xs.append(x)
            case .band(let a, let b, _, _): xs += [a, b]
            case .annotation(let x, let y, _): xs.append(x); ys.append(y)
            case .bars(let b):
                xs += [0, Double(b.categories.count)]
                ys += [0] + b.groups.flatMap(\.values)
            case .heatmap(let h):
                xs += [0, Double(h.columnLabels.count)]
                ys += [0, Double(h.rowLabels.count)]
            }
        }
        let categorical = marks.contains { if case .bars = $0 { return true }; if case .heatmap = $0 { return true }; return false }
        let x = xLimits ?? Axes.padded(xs, scale: xScale, pad: !categorical)
        let y = yLimits ?? Axes.padded(ys, scale: yScale, pad: !isHeatmap)
        return (x, y)
    }

    var isHeatmap: Bool { marks.contains { if case .heatmap = $0 { return true }; return false } }
    var bars: BarSeries? { marks.lazy.compactMap { if case .bars(let b) = $0 { return b }; return nil }.first }
    var heatmap: Heatmap? { marks.lazy.compactMap { if case .heatmap(let h) = $0 { return h }; return nil }.first }

    static func padded(_ values: [Double], scale: AxisScale, pad: Bool) -> ClosedRange<Double> {
        let finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var low = finite.min(), var high = finite.max() else { return scale == .log ? 1...10 : 0...1 }
        if scale == .log {
            if high <= low { high = low * 10 }
            let margin = pad ? pow(10, 0.04 * (log10(high) - log10(low))) : 1
            return (low / margin)...(high * margin)
        }
        if high <= low { (low, high) = (low - max(abs(low) * 0.1, 1), high + max(abs(high) * 0.1, 1)) }
        let margin = pad ? 0.04 * (high - low) : 0
        return (low - margin)...(high + margin)
    }

    /// Where everything goes: the plot rectangle, the data-to-canvas mappings and the ticks.
    struct Layout {
        var plot: Rect
        var mapX: AxisMapping
        var mapY: AxisMapping
        var xTicks: [Double], xTickLabels: [String], yTicks: [Double], yTickLabels: [String]
    }

    /// The plot rectangle and mappings for `rect` (margins sized from the text they hold).
    func layout(on canvas: Canvas, in rect: Rect) -> (plot: Rect, mapX: AxisMapping, mapY: AxisMapping) {
        let l: Layout = fullLayout(on: canvas, in: rect)
        return (l.plot, l.mapX, l.mapY)
    }

    func fullLayout(on canvas: Canvas, in rect: Rect) -> Layout {
        let limits = dataLimits()
        let categorical = bars != nil || heatmap != nil
        let xTicks: [Double], xTickLabels: [String], yTicks: [Double], yTickLabels: [String]
        if let bars {
            xTicks = bars.categories.indices.map { Double($0) + 0.5 }
            xTickLabels = bars.categories
        } else if let heatmap {
            xTicks = heatmap.columnLabels.indices.map { Double($0) + 0.5 }
            xTickLabels = heatmap.columnLabels
        } else {
            xTicks = xScale == .log ? Ticks.log(limits.x.lowerBound, limits.x.upperBound)
                : Ticks.linear(limits.x.lowerBound, limits.x.upperBound, integers: xIntegerTicks)
            xTickLabels = xScale == .log ? Ticks.logLabels(xTicks) : Ticks.labels(xTicks)
        }
        if let heatmap {
            yTicks = heatmap.rowLabels.indices.map { Double($0) + 0.5 }
            yTickLabels = heatmap.rowLabels
        } else {
            yTicks = yScale == .log ? Ticks.log(limits.y.lowerBound, limits.y.upperBound) : Ticks.linear(limits.y.lowerBound, limits.y.upperBound, target: 5)
            yTickLabels = yScale == .log ? Ticks.logLabels(yTicks) : Ticks.labels(yTicks)
        }
        let yTickWidth = yTickLabels.map { Text.measure(canvas, $0, size: Axes.tickSize).width }.max() ?? 0
        let left = yTickWidth + 8 + (yLabel.isEmpty ? 0 : Axes.labelSize + 8) + 2
        let bottom = Axes.tickSize + 8 + (xLabel.isEmpty ? 0 : Axes.labelSize + 8) + 2
        let top = title.isEmpty ? 8 : Axes.titleSize + 12
        // An outside legend reserves its width even when hidden, so side-by-side panels stay aligned.
        let legendWidth = legendOutside ? Legend.width(of: legendLabels, canvas: canvas) + 8 : 0
        let right = (heatmap != nil ? 62.0 : 12.0) + legendWidth
        let plot = Rect(x: rect.x + left, y: rect.y + top, width: max(rect.width - left - right, 10), height: max(rect.height - top - bottom, 10))
        let mapX = AxisMapping(scale: categorical ? .linear : xScale, low: limits.x.lowerBound, high: limits.x.upperBound,
                               start: plot.x, end: plot.x + plot.width)
        // Heatmap rows run top to bottom; everything else has y growing upwards.
        let mapY = isHeatmap
            ? AxisMapping(scale: .linear, low: limits.y.lowerBound, high: limits.y.upperBound, start: plot.y, end: plot.y + plot.height)
            : AxisMapping(scale: yScale, low: limits.y.lowerBound, high: limits.y.upperBound, start: plot.y + plot.height, end: plot.y)
        return Layout(plot: plot, mapX: mapX, mapY: mapY, xTicks: xTicks, xTickLabels: xTickLabels, yTicks: yTicks, yTickLabels: yTickLabels)
    }

    /// Draws the axes into `rect`. An inside legend that would cover data in every corner moves
    /// outside the plot instead.
    func draw(on canvas: Canvas, in rect: Rect) {
        if showLegend && !legendOutside && !legendLabels.isEmpty {
            let trial = fullLayout(on: canvas, in: rect)
            if Legend.coverage(labels: legendLabels, canvas: canvas, plot: trial.plot, occupied: occupiedPoints(trial)) > 0 {
                var outside = self
                outside.legendOutside = true
                outside.draw(on: canvas, in: rect)
                return
            }
        }
        let l = fullLayout(on: canvas, in: rect)
        let (plot, mapX, mapY) = (l.plot, l.mapX, l.mapY)
        let (xTicks, xTickLabels, yTicks, yTickLabels) = (l.xTicks, l.xTickLabels, l.yTicks, l.yTickLabels)
        let categorical = bars != nil || heatmap != nil
        if !title.isEmpty {
            Text.draw(canvas, title, x: plot.x + plot.width / 2, y: rect.y + 2, size: Axes.titleSize, anchor: .middle, baseline: .top, bold: true)
        }
        if !isHeatmap {
            for t in yTicks { canvas.line(from: (plot.x, mapY(t)), to: (plot.x + plot.width, mapY(t)), color: .grid, width: 0.6) }
            if !categorical { for t in xTicks { canvas.line(from: (mapX(t), plot.y), to: (mapX(t), plot.y + plot.height), color: .grid, width: 0.6) } }
        }
        var legend: [LegendEntry] = []
        var occupied: [(Double, Double)] = []
        canvas.clip(plot.x, plot.y, plot.width, plot.height) {
            var seriesIndex = 0
            for mark in marks {
                drawMark(mark, canvas: canvas, plot: plot, mapX: mapX, mapY: mapY, seriesIndex: &seriesIndex, legend: &legend, occupied: &occupied)
            }
        }
        // Axis lines, ticks and labels.
        canvas.line(from: (plot.x, plot.y + plot.height), to: (plot.x + plot.width, plot.y + plot.height), color: .axis, width: 0.8)
        canvas.line(from: (plot.x, plot.y), to: (plot.x, plot.y + plot.height), color: .axis, width: 0.8)
        let xLabelSize = fittedTickSize(canvas, xTickLabels, slot: categorical ? plot.width / Double(max(xTickLabels.count, 1)) : .infinity)
        var lastRight = -Double.infinity
        for (t, label) in zip(xTicks, xTickLabels) {
            let x = mapX(t)
            guard x >= plot.x - 0.5 && x <= plot.x + plot.width + 0.5 else { continue }
            canvas.line(from: (x, plot.y + plot.height), to: (x, plot.y + plot.height + 3), color: .axis, width: 0.8)
            let width = Text.measure(canvas, label, size: xLabelSize).width
            guard x - width / 2 > lastRight + 3 else { continue }   // skip a label that would overlap its neighbour
            Text.draw(canvas, label, x: x, y: plot.y + plot.height + 5, size: xLabelSize, anchor: .middle, baseline: .top)
            lastRight = x + width / 2
        }
        for (t, label) in zip(yTicks, yTickLabels) {
            let y = mapY(t)
            guard y >= plot.y - 0.5 && y <= plot.y + plot.height + 0.5 else { continue }
            canvas.line(from: (plot.x - 3, y), to: (plot.x, y), color: .axis, width: 0.8)
            Text.draw(canvas, label, x: plot.x - 5, y: y, size: Axes.tickSize, anchor: .end, baseline: .middle)
        }
        if !xLabel.isEmpty {
            Text.draw(canvas, xLabel, x: plot.x + plot.width / 2, y: rect.y + rect.height - 2, size: Axes.labelSize, anchor: .middle, baseline: .bottom)
        }
        if !yLabel.isEmpty {
            Text.draw(canvas, yLabel, x: rect.x + 2 + Axes.labelSize, y: plot.y + plot.height / 2, size: Axes.labelSize,
                      anchor: .middle, baseline: .bottom, vertical: true)
        }
        if let heatmap { drawColorbar(heatmap, canvas: canvas, plot: plot) }
        occupied += occupiedPoints(l)
        if showLegend && !legend.isEmpty {
            if legendOutside {
                Legend.draw(legend, canvas: canvas, at: (plot.x + plot.width + 8, plot.y))
            } else {
                Legend.draw(legend, canvas: canvas, plot: plot, occupied: occupied)
            }
        }
        for (x, y, text) in pointLabels(mapX: mapX, mapY: mapY) {
            // Beside the point, on whichever side keeps the label inside the panel.
            let width = Text.measure(canvas, text, size: Axes.tickSize).width
            let rightSide = x + 7 + width <= rect.x + rect.width
            Text.draw(canvas, text, x: rightSide ? x + 7 : x - 7, y: y, size: Axes.tickSize, anchor: rightSide ? .start : .end, baseline: .middle)
        }
    }

    /// Labels of the legend entries (to size an outside legend before drawing).
    var legendLabels: [String] {
        marks.flatMap { mark -> [String] in
            switch mark {
            case .line(let s): return [s.label]
            case .scatter(let s):
                guard let categories = s.categories else { return [s.label] }
                return Set(categories).sorted().map { $0 < s.categoryNames.count ? s.categoryNames[$0] : String($0) }
            case .bars(let b): return b.groups.map(\.label)
            case .horizontalLine(_, let label, _, _), .verticalLine(_, let label, _, _), .band(_, _, let label, _): return [label]
            default: return []
            }
        }.filter { !$0.isEmpty }
    }

    /// Canvas positions of the line and scatter points (what a legend must not cover).
    func occupiedPoints(_ l: Layout) -> [(Double, Double)] {
        marks.flatMap { mark -> [(Double, Double)] in
            switch mark {
            case .line(let s):
                // Points along each segment too: a legend must not sit on a line between markers.
                let points: [(Double, Double)] = zip(s.x, s.y).map { (l.mapX($0), l.mapY($1)) }.filter { $0.0.isFinite && $0.1.isFinite }
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
            case .scatter(let s): return zip(s.x, s.y).map { (l.mapX($0), l.mapY($1)) }
            default: return []
            }
        }
    }

    /// Point labels of scatter series, in canvas coordinates (drawn after clipping ends).
    private func pointLabels(mapX: AxisMapping, mapY: AxisMapping) -> [(Double, Double, String)] {
        marks.flatMap { mark -> [(Double, Double, String)] in
            guard case .scatter(let s) = mark, let labels = s.pointLabels else { return [] }
            return zip(zip(s.x, s.y), labels).map { (mapX($0.0), mapY($0.1), $1) }
        }
    }

    /// The largest tick font (down to 6 pt) at which every label fits its slot.
    private func fittedTickSize(_ canvas: Canvas, _ labels: [String], slot: Double) -> Double {
        guard slot.isFinite else { return Axes.tickSize }
        var size = Axes.tickSize
        while size > 6, (labels.map { Text.measure(canvas, $0, size: size).width }.max() ?? 0) > slot - 2 { size -= 0.5 }
        return size
    }

    private func drawMark(_ mark: Mark, canvas: Canvas, plot: Rect, mapX: AxisMapping, mapY: AxisMapping,
                          seriesIndex: inout Int, legend: inout [LegendEntry], occupied: inout [(Double, Double)]) {
        switch mark {
        case .line(let s):
            let color = s.color ?? Color.category(seriesIndex)
            seriesIndex += 1
            let raw = zip(s.x, s.y).map { (mapX($0), mapY($1)) }
            occupied += raw
            if let weight = s.smoothing {
                canvas.polyline(raw, color: color, width: s.width * 0.7, alpha: 0.3)
                var smoothed: [Double] = []
                var last: Double?
                for value in s.y where value.isFinite {
                    let next = last.map { weight * $0 + (1 - weight) * value } ?? value
                    smoothed.append(next)
                    last = next
                }
                let xs = zip(s.x, s.y).filter { $0.1.isFinite }.map(\.0)
                canvas.polyline(zip(xs, smoothed).map { (mapX($0), mapY($1)) }, color: color, width: s.width)
            } else {
                canvas.polyline(raw, color: color, width: s.width, dash: s.dashed ? [5, 3] : [])
            }
            if s.markers { for (x, y) in raw where x.isFinite && y.isFinite { canvas.circle(x, y, radius: 2.4, fill: color) } }
            if !s.label.isEmpty { legend.append(LegendEntry(label: s.label, color: color, kind: s.dashed ? .dashedLine : .line)) }
        case .scatter(let s):
            let points = zip(s.x, s.y).map { (mapX($0), mapY($1)) }
            occupied += points
            if let categories = s.categories {
                // Draw category by category so the legend's order is the drawing order.
                for category in Set(categories).sorted() {
                    let color = Color.category(category)
                    for (index, point) in points.enumerated() where categories[index] == category {
                        canvas.circle(point.0, point.1, radius: s.radius, fill: color, alpha: s.alpha)
                    }
                    let name = category < s.categoryNames.count ? s.categoryNames[category] : String(category)
                    legend.append(LegendEntry(label: name, color: color, kind: .dot))
                }
            } else {
                let color = s.color ?? Color.category(seriesIndex)
                seriesIndex += 1
                for point in points { canvas.circle(point.0, point.1, radius: s.radius, fill: color, alpha: s.alpha) }
                if !s.label.isEmpty { legend.append(LegendEntry(label: s.label, color: color, kind: .dot)) }
            }
        case .bars(let b):
            let groupCount = Double(max(b.groups.count, 1))
            let barWidth = 0.8 / groupCount
            for (g, group) in b.groups.enumerated() {
                let color = Color.category(g)
                for (i, value) in group.values.enumerated() where value.isFinite {
                    let x0 = mapX(Double(i) + 0.1 + Double(g) * barWidth), x1 = mapX(Double(i) + 0.1 + Double(g + 1) * barWidth)
                    let y0 = mapY(0), y1 = mapY(value)
                    canvas.rectangle(x0, min(y0, y1), max(x1 - x0 - 0.5, 0.5), abs(y1 - y0), fill: color,
                                     stroke: b.highlighted.contains(i) ? Color.ink : nil, lineWidth: 1.2)
                    occupied.append(((x0 + x1) / 2, y1))
                }
                if !group.label.isEmpty { legend.append(LegendEntry(label: group.label, color: color, kind: .box)) }
            }
        case .heatmap(let h):
            let range = h.range ?? Heatmap.span(h.values)
            for (r, row) in h.values.enumerated() {
                for (c, value) in row.enumerated() {
                    let x0 = mapX(Double(c)), x1 = mapX(Double(c + 1)), y0 = mapY(Double(r)), y1 = mapY(Double(r + 1))
                    guard value.isFinite else {
                        canvas.rectangle(x0, y0, x1 - x0, y1 - y0, fill: Color(hex: 0xEEEEEE))   // no value: light grey
                        continue
                    }
                    let t = (value - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12)
                    canvas.rectangle(x0, y0, x1 - x0, y1 - y0, fill: Color.viridis(t))
                    if h.annotate {
                        let decimals = range.upperBound < 10 ? 2 : (range.upperBound < 100 ? 1 : 0)
                        Text.draw(canvas, String(format: "%.\(decimals)f", value), x: (x0 + x1) / 2, y: (y0 + y1) / 2,
                                  size: min(8, (y1 - y0) * 0.6), color: t > 0.6 ? .ink : .white, anchor: .middle, baseline: .middle)
                    }
                }
            }
        case let .horizontalLine(y, label, color, dashed):
            canvas.line(from: (plot.x, mapY(y)), to: (plot.x + plot.width, mapY(y)), color: color, width: 1.2, dash: dashed ? [5, 3] : [])
            if !label.isEmpty { legend.append(LegendEntry(label: label, color: color, kind: dashed ? .dashedLine : .line)) }
        case let .verticalLine(x, label, color, dashed):
            canvas.line(from: (mapX(x), plot.y), to: (mapX(x), plot.y + plot.height), color: color, width: 1.2, dash: dashed ? [5, 3] : [])
            if !label.isEmpty { legend.append(LegendEntry(label: label, color: color, kind: dashed ? .dashedLine : .line)) }
        case let .band(from, to, label, color):
            let x0 = mapX(from), x1 = mapX(to)
            canvas.rectangle(min(x0, x1), plot.y, abs(x1 - x0), plot.height, fill: color, alpha: 0.18)
            if !label.isEmpty && !legend.contains(where: { $0.label == label }) { legend.append(LegendEntry(label: label, color: color, kind: .box)) }
        case let .annotation(x, y, text):
            Text.draw(canvas, text, x: mapX(x) + 4, y: mapY(y), size: Axes.tickSize, baseline: .middle)
        }
    }

    private func drawColorbar(_ h: Heatmap, canvas: Canvas, plot: Rect) {
        let range = h.range ?? Heatmap.span(h.values)
        let x = plot.x + plot.width + 10, width = 10.0
        let steps = 64
        for i in 0..<steps {
            let y0 = plot.y + plot.height * Double(steps - 1 - i) / Double(steps)
            canvas.rectangle(x, y0, width, plot.height / Double(steps) + 0.5, fill: Color.viridis(Double(i) / Double(steps - 1)))
        }
        canvas.rectangle(x, plot.y, width, plot.height, fill: nil, stroke: .axis, lineWidth: 0.6)
        let ticks = Ticks.linear(range.lowerBound, range.upperBound, target: 4)
        for (t, label) in zip(ticks, Ticks.labels(ticks)) {
            let y = plot.y + plot.height * (1 - (t - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12))
            canvas.line(from: (x + width, y), to: (x + width + 3, y), color: .axis, width: 0.6)
            Text.draw(canvas, label, x: x + width + 5, y: y, size: Axes.tickSize - 1, baseline: .middle)
        }
        if !h.colorbarLabel.isEmpty {
            let tickWidth = Ticks.labels(ticks).map { Text.measure(canvas, $0, size: Axes.tickSize - 1).width }.max() ?? 0
            Text.draw(canvas, h.colorbarLabel, x: x + width + 8 + tickWidth + Axes.tickSize + 2, y: plot.y + plot.height / 2, size: Axes.tickSize,
                      anchor: .middle, baseline: .bottom, vertical: true)
        }
    }
}

extension Heatmap {
    /// The range of the finite values (0…1 when there are none).
    static func span(_ values: [[Double]]) -> ClosedRange<Double> {
        let finite = values.joined().filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        return high > low ? low...high : low...(low + 1)
    }
}
