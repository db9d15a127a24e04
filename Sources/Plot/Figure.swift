import Foundation

/// What a figure panel holds.
public enum Panel: Sendable {
    case axes(Axes)
    case images(ImageGrid)
}

/// A figure: panels laid out in a grid of `columns`, each cell the same size, drawn the same way
/// to PNG, SVG and PDF. The same input gives the same bytes.
public struct Figure: Sendable {
    /// The canvas size in points (a PNG has `scale` pixels per point).
    public var width: Double
    public var height: Double
    public var columns: Int
    public var panels: [Panel]
    /// The font sizes of every panel's text, in points at the figure's size.
    public var textSizes: TextSizes = .screen

    /// A figure of `width × height` points, `panels` filling equal cells row by row, `columns`
    /// to a row (at least one).
    public init(width: Double, height: Double, columns: Int = 1, panels: [Panel]) {
        self.width = width
        self.height = height
        self.columns = max(1, columns)
        self.panels = panels
    }

    /// A one-panel figure.
    public init(width: Double, height: Double, _ panel: Panel) {
        self.init(width: width, height: height, columns: 1, panels: [panel])
    }

    /// Writes the figure to `path` in `format`, through a temporary file renamed into place.
    public func write(to path: String, format: FigureFormat) throws(PlotError) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            let canvas = try Canvas(width: width, height: height, format: format, path: temporary, sizes: textSizes)
            draw(on: canvas)
            try canvas.finish()
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .write(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Renders to PNG in memory and returns RGBA pixels (tests; checking pixels, not fonts).
    public func rgba(scale: Double = 1) throws(PlotError) -> (width: Int, height: Int, bytes: [UInt8]) {
        let canvas = try Canvas(width: width, height: height, format: .png(scale: scale), path: nil, sizes: textSizes)
        draw(on: canvas)
        return canvas.rgbaPixels()
    }

    func draw(on canvas: Canvas) {
        let rows = (panels.count + columns - 1) / columns
        let cellWidth = width / Double(columns), cellHeight = height / Double(max(rows, 1))
        for (index, panel) in panels.enumerated() {
            let rect = Rect(x: Double(index % columns) * cellWidth + 4, y: Double(index / columns) * cellHeight + 4,
                            width: cellWidth - 8, height: cellHeight - 8)
            switch panel {
            case .axes(let axes): axes.draw(on: canvas, in: rect)
            case .images(let grid): grid.draw(on: canvas, in: rect)
            }
        }
    }

    /// Where data point (x, y) of axes panel `index` lands, in points (tests: checking that marks sit
    /// where their data maps).
    public func location(ofPanel index: Int, x: Double, y: Double) -> (x: Double, y: Double)? {
        guard index < panels.count, case .axes(let axes) = panels[index] else { return nil }
        let canvas: Canvas
        do { canvas = try Canvas(width: 1, height: 1, format: .png(scale: 1), path: nil, sizes: textSizes) } catch { return nil }
        let rows = (panels.count + columns - 1) / columns
        let cellWidth = width / Double(columns), cellHeight = height / Double(max(rows, 1))
        let rect = Rect(x: Double(index % columns) * cellWidth + 4, y: Double(index / columns) * cellHeight + 4,
                        width: cellWidth - 8, height: cellHeight - 8)
        let (plot, mapX, mapY) = axes.layout(on: canvas, in: rect)
        _ = plot
        return (mapX(x), mapY(y))
    }
}
