/// Everything an axes panel can draw, in data coordinates. Each case is drawn by its artist
/// (`Lines.swift`, `Area.swift`, `Scatter.swift`, `Bars.swift`, `Boxes.swift`, `Heatmap.swift`, `ReferenceLines.swift`,
/// `Band.swift`, `Annotation.swift`).
public enum Mark: Sendable {
    case line(LineSeries)
    /// A filled range between two curves (`Area.swift`); it takes no colour from the cycle.
    case area(AreaSeries)
    case scatter(ScatterSeries)
    case bars(BarSeries)
    /// Box plots over categories (`Boxes.swift`).
    case boxes(BoxSeries)
    case heatmap(Heatmap)
    /// A horizontal line at y across the plot (e.g. a target).
    case horizontalLine(y: Double, label: String, color: Color, dashed: Bool)
    /// A vertical line at x across the plot.
    case verticalLine(x: Double, label: String, color: Color, dashed: Bool)
    /// A shaded x-range (e.g. epochs where |KL − C| > 1 nat).
    case band(from: Double, to: Double, label: String, color: Color)
    /// Text at a data position.
    case annotation(x: Double, y: Double, text: String)
}

extension Mark {
    /// The artist drawing this mark. Lines and single-colour scatters take colour `cycle` of the
    /// categorical palette and advance it, even with a colour of their own, so that adding a
    /// colour to one series does not recolour the ones after it.
    func artist(cycle: inout Int) -> any Artist {
        switch self {
        case .line(let series):
            defer { cycle += 1 }
            return LineArtist(series: series, color: series.color ?? Color.category(cycle))
        case .scatter(let series):
            guard series.categories == nil else { return ScatterArtist(series, color: .ink) }
            defer { cycle += 1 }
            return ScatterArtist(series, color: series.color ?? Color.category(cycle))
        case .area(let series): return AreaArtist(series: series)
        case .bars(let bars): return bars
        case .boxes(let boxes): return boxes
        case .heatmap(let heatmap): return heatmap
        case let .horizontalLine(y, label, color, dashed):
            return ReferenceLine(orientation: .horizontal, value: y, label: label, color: color, dashed: dashed)
        case let .verticalLine(x, label, color, dashed):
            return ReferenceLine(orientation: .vertical, value: x, label: label, color: color, dashed: dashed)
        case let .band(from, to, label, color): return Band(from: from, to: to, label: label, color: color)
        case let .annotation(x, y, text): return Annotation(x: x, y: y, text: text)
        }
    }
}
