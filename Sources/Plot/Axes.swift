import Foundation

/// One chart in a panel rectangle: axes with ticks, grid, labels, title, marks (in data
/// coordinates) and a legend placed where it covers the least data. Axes owns the layout, the
/// scales and the ticks; what each mark spans, shows in the legend and draws is its artist's.
public struct Axes: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    /// Fixed data limits; nil fits the marks (padded by 4% on numeric axes).
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var marks: [Mark]
    public var showLegend: Bool
    /// Put the legend to the right of the plot instead of inside it (for dense scatters).
    public var legendOutside: Bool
    /// Only whole-number x ticks (epochs, steps).
    public var xIntegerTicks: Bool

    /// A chart of `marks`, drawn in order (later marks on top).
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

    /// The artists drawing `marks`, in order, with the colour cycle resolved.
    var artists: [any Artist] {
        var cycle = 0
        return marks.map { $0.artist(cycle: &cycle) }
    }

    /// The data limits the axes will show (after padding), in data coordinates, for sharing
    /// limits between panels.
    public func dataLimits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        limits(of: artists)
    }

    /// The fixed limits where set, else the artists' span, padded on numeric axes (categories
    /// and heatmap cells fill the plot edge to edge).
    func limits(of artists: [any Artist]) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let span = artists.reduce(DataLimits.none) { $0.union($1.dataLimits(xScale: xScale, yScale: yScale)) }
        let x = xLimits ?? Axes.padded(span.x, scale: xScale, pad: !artists.contains { $0.xCategories != nil })
        let y = yLimits ?? Axes.padded(span.y, scale: yScale, pad: !artists.contains { $0.yCategories != nil })
        return (x, y)
    }

    /// Labels of the legend entries (to size an outside legend before drawing).
    var legendLabels: [String] { Legend.labels(artists.flatMap(\.legendEntries)) }

    /// Draws the axes into `rect` (canvas points). An inside legend that would cover data in
    /// every corner moves outside the plot instead, and a legend outside stays inside when it
    /// would take more than 45% of the width (a one-column paper figure would keep a sliver of plot).
    func draw(on canvas: Canvas, in rect: Rect) {
        let artists = self.artists
        let entries = artists.flatMap(\.legendEntries)
        let labels = Legend.labels(entries)
        let outsideFits = Legend.width(of: labels, canvas: canvas) + 8 <= 0.45 * rect.width
        if legendOutside && !outsideFits {
            var inside = self
            inside.legendOutside = false
            inside.draw(on: canvas, in: rect)
            return
        }
        if showLegend && !legendOutside && !labels.isEmpty && outsideFits {
            let trial = layout(artists, on: canvas, in: rect)
            let occupied = artists.flatMap { $0.occupiedPoints(trial.transform) }
            if Legend.coversData(labels: labels, canvas: canvas, plot: trial.plot, occupied: occupied) {
                var outside = self
                outside.legendOutside = true
                outside.draw(on: canvas, in: rect)
                return
            }
        }
        let l = layout(artists, on: canvas, in: rect)
        drawTitleAndGrid(l, canvas: canvas, in: rect)
        canvas.clip(l.plot.x, l.plot.y, l.plot.width, l.plot.height) {
            for artist in artists { artist.draw(in: canvas, transform: l.transform) }
        }
        drawFrame(l, canvas: canvas, in: rect)
        artists.lazy.compactMap(\.colorBar).first?.draw(on: canvas, beside: l.plot)
        let rows = Legend.rows(entries)
        if showLegend && !rows.isEmpty {
            if legendOutside {
                Legend.drawOutside(rows, canvas: canvas, plot: l.plot)
            } else {
                let occupied = artists.flatMap { $0.markedPoints(l.transform) } + artists.flatMap { $0.occupiedPoints(l.transform) }
                Legend.draw(rows, canvas: canvas, plot: l.plot, occupied: occupied)
            }
        }
        for artist in artists { artist.drawUnclipped(in: canvas, transform: l.transform, panel: rect) }
    }
}
