/// An image for a grid: `[C, H, W]` floats in [0, 1] (C = 1 grey, 3 RGB), PyTorch's layout.
public struct GridImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [Float]

    /// An image of `width × height` pixels from `pixels` in `[C, H, W]` order.
    public init(width: Int, height: Int, channels: Int = 1, pixels: [Float]) {
        precondition(channels == 1 || channels == 3, "images are grey or RGB")
        precondition(pixels.count == width * height * channels, "pixel count does not match \(channels)×\(height)×\(width)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// Rows × columns of images drawn pixel-exact, with row labels on the left ("z3  KL 2.14"),
/// column labels on top ("−3", "epoch 0"), optional axis names (a decoded latent plane's "z0"
/// over the columns, "z1" beside the rows), and an optional gap after the first row (a "ground
/// truth" header row). Cells sit `spacing` apart with no gap after the last row or column.
public struct ImageGrid: Sendable {
    /// cells[row][column]; nil leaves a cell empty.
    public var cells: [[GridImage?]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var title: String
    /// What the columns' labels measure, centred above them; what the rows' labels measure,
    /// written upwards left of them.
    public var xLabel: String
    public var yLabel: String
    /// Extra space after the first row, to set a header row apart.
    public var headerGap: Double
    /// Gap between cells, in points.
    public var spacing: Double

    /// A grid of `cells`, each drawn as a square of equal size fitted to the panel.
    public init(cells: [[GridImage?]], rowLabels: [String] = [], columnLabels: [String] = [], title: String = "",
                xLabel: String = "", yLabel: String = "", headerGap: Double = 0, spacing: Double = 2) {
        self.cells = cells
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.headerGap = headerGap
        self.spacing = spacing
    }

    var rows: Int { cells.count }
    var columns: Int { cells.map(\.count).max() ?? 0 }

    /// The room the labels take: left of the cells and above them, in points.
    private func margins(_ canvas: Canvas) -> (left: Double, top: Double) {
        let sizes = canvas.sizes
        let rowLabelWidth = rowLabels.map { Text.measure(canvas, $0, size: sizes.tick).width }.max() ?? 0
        let left = (yLabel.isEmpty ? 0 : sizes.label + 6) + (rowLabels.isEmpty ? 0 : rowLabelWidth + 8)
        let top = (title.isEmpty ? 0 : sizes.title + 9) + (xLabel.isEmpty ? 0 : sizes.label + 6) + (columnLabels.isEmpty ? 0 : sizes.tick + 6)
        return (left, top)
    }

    /// The size of the grid with square cells of `cell` points and text of `sizes`, labels
    /// measured in the font they are drawn in (so a figure sized from it has no slack around
    /// the grid).
    public func naturalSize(cell: Double, sizes: TextSizes = .screen) -> (width: Double, height: Double) {
        guard let canvas = try? Canvas(width: 1, height: 1, format: .png(scale: 1), path: nil, sizes: sizes) else { return (0, 0) }
        let (left, top) = margins(canvas)
        return (left + extent(columns, cell: cell), top + extent(rows, cell: cell) + headerGap)
    }

    /// The height the grid takes in a panel `width` points wide when its square cells are as
    /// wide as that width allows: a figure sizes a row of grids from it, so that no row is
    /// taller than its cells fill (issue 25: a blank band under a comparison's first row).
    public func height(forWidth width: Double, sizes: TextSizes = .screen) -> Double {
        guard rows > 0, columns > 0,
              let canvas = try? Canvas(width: 1, height: 1, format: .png(scale: 1), path: nil, sizes: sizes) else { return 0 }
        let (left, top) = margins(canvas)
        let cell = max(1, (((width - left - Double(columns - 1) * spacing) / Double(columns)) * 2).rounded(.down) / 2)
        return top + extent(rows, cell: cell) + headerGap
    }

    /// `count` cells and the gaps between them.
    private func extent(_ count: Int, cell: Double) -> Double { Double(count) * cell + Double(max(count - 1, 0)) * spacing }

    func draw(on canvas: Canvas, in rect: Rect) {
        guard rows > 0, columns > 0 else { return }
        let sizes = canvas.sizes
        let (left, top) = margins(canvas)
        // Whole half-points, so that at 2× every cell edge falls on a pixel edge: no blurred seams.
        let fitted = min((rect.width - left - Double(columns - 1) * spacing) / Double(columns),
                         (rect.height - top - headerGap - Double(rows - 1) * spacing) / Double(rows))
        let cell = max(1, (fitted * 2).rounded(.down) / 2)
        let gridWidth = extent(columns, cell: cell)
        let x0 = ((rect.x + max(0, (rect.width - left - gridWidth) / 2)) * 2).rounded() / 2
        let cellsX = x0 + left
        var y = rect.y
        if !title.isEmpty {
            Text.draw(canvas, title, x: cellsX + gridWidth / 2, y: y + 2, size: sizes.title, anchor: .middle, baseline: .top, bold: true)
            y += sizes.title + 9
        }
        if !xLabel.isEmpty {
            Text.draw(canvas, xLabel, x: cellsX + gridWidth / 2, y: y + 2, size: sizes.label, anchor: .middle, baseline: .top)
            y += sizes.label + 6
        }
        for (c, label) in columnLabels.enumerated() where c < columns {
            Text.draw(canvas, label, x: cellsX + Double(c) * (cell + spacing) + cell / 2, y: y + 2, size: sizes.tick, anchor: .middle, baseline: .top)
        }
        let cellsY = (rect.y + top).rounded()
        if !yLabel.isEmpty {
            Text.draw(canvas, yLabel, x: x0 + 2 + sizes.label, y: cellsY + (extent(rows, cell: cell) + headerGap) / 2, size: sizes.label,
                      anchor: .middle, baseline: .bottom, vertical: true)
        }
        for (r, row) in cells.enumerated() {
            let rowY = cellsY + Double(r) * (cell + spacing) + (r > 0 ? headerGap : 0)
            if r < rowLabels.count {
                Text.draw(canvas, rowLabels[r], x: cellsX - 6, y: rowY + cell / 2, size: sizes.tick, anchor: .end, baseline: .middle)
            }
            for (c, image) in row.enumerated() {
                guard let image else { continue }
                canvas.image(image, x: cellsX + Double(c) * (cell + spacing), y: rowY, width: cell, height: cell)
            }
        }
    }
}
