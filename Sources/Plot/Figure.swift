import Foundation

/// What a figure panel holds.
public enum Panel: Sendable {
    case axes(Axes)
    case images(ImageGrid)
}

/// A figure: panels laid out in a grid of `columns`, each cell of a row the same size (rows the
/// same height unless `rowHeights` says otherwise), drawn the same way to PNG, SVG and PDF. The
/// same input gives the same bytes.
public struct Figure: Sendable {
    /// The canvas size in points (a PNG has `scale` pixels per point).
    public var width: Double
    public var height: Double
    public var columns: Int
    public var panels: [Panel]
    /// The font sizes of every panel's text, in points at the figure's size.
    public var textSizes: TextSizes = .screen
    /// The height of each row of panels in points, top to bottom, summing to `height`; nil (or a
    /// list of the wrong length) gives equal rows. Rows of image grids of different shapes need
    /// their own heights: equal rows left a blank band under the shorter ones.
    public var rowHeights: [Double]?

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

    /// Draws a line of text in each of the fonts figures use (DejaVu Sans, regular and bold) on a
    /// PNG surface, once per process, before figures are drawn on several threads. Why: Cairo makes
    /// a toy font face's FreeType face when the face is first used, with the font options of that
    /// first surface, and keeps it; drawn in page order, a PNG always came first, but side by side
    /// a PDF could, and the PNGs' glyphs then differed from a figure drawn alone (measured: the
    /// loss curves', KL's and latent scatter's PNGs of a report changed bytes).
    public static func prepareFonts() { _ = fontsPrepared }

    private static let fontsPrepared: Bool = {
        guard let canvas = try? Canvas(width: 8, height: 8, format: .png(scale: 1), path: nil, sizes: .screen) else { return false }
        for bold in [false, true] { Text.draw(canvas, "0", x: 1, y: 7, size: 9, bold: bold) }
        return true
    }()

    /// Renders to PNG in memory and returns RGBA pixels (tests; checking pixels, not fonts).
    public func rgba(scale: Double = 1) throws(PlotError) -> (width: Int, height: Int, bytes: [UInt8]) {
        let canvas = try Canvas(width: width, height: height, format: .png(scale: scale), path: nil, sizes: textSizes)
        draw(on: canvas)
        return canvas.rgbaPixels()
    }

    /// The rectangle of panel `index`: its cell less a 4-point margin on each side.
    func cell(_ index: Int) -> Rect {
        let rows = max((panels.count + columns - 1) / columns, 1)
        let heights = rowHeights.flatMap { $0.count == rows ? $0 : nil } ?? [Double](repeating: height / Double(rows), count: rows)
        let cellWidth = width / Double(columns)
        let row = index / columns
        return Rect(x: Double(index % columns) * cellWidth + 4, y: heights[..<row].reduce(0, +) + 4,
                    width: cellWidth - 8, height: heights[row] - 8)
    }

    func draw(on canvas: Canvas) {
        for (index, panel) in panels.enumerated() {
            let rect = cell(index)
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
        let (plot, mapX, mapY) = axes.layout(on: canvas, in: cell(index))
        _ = plot
        return (mapX(x), mapY(y))
    }
}
