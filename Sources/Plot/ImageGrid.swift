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
/// column labels on top ("−3", "epoch 0"), and an optional gap after the first row (a
/// "ground truth" header row).
public struct ImageGrid: Sendable {
    /// cells[row][column]; nil leaves a cell empty.
    public var cells: [[GridImage?]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var title: String
    /// Extra space after the first row, to set a header row apart.
    public var headerGap: Double
    /// Gap between cells, in points.
    public var spacing: Double

    /// A grid of `cells`, each drawn as a square of equal size fitted to the panel.
    public init(cells: [[GridImage?]], rowLabels: [String] = [], columnLabels: [String] = [], title: String = "",
                headerGap: Double = 0, spacing: Double = 2) {
        self.cells = cells
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.headerGap = headerGap
        self.spacing = spacing
    }

    var rows: Int { cells.count }
    var columns: Int { cells.map(\.count).max() ?? 0 }
    static let labelSize = 9.0

    /// The size of the grid with square cells of `cell` points (for sizing a figure around it).
    public func naturalSize(cell: Double) -> (width: Double, height: Double) {
        let left = rowLabels.isEmpty ? 0 : Double(rowLabels.map(\.count).max() ?? 0) * 5.6 + 8
        let top = (columnLabels.isEmpty ? 0 : ImageGrid.labelSize + 6) + (title.isEmpty ? 0 : 20)
        return (left + Double(columns) * (cell + spacing), top + Double(rows) * (cell + spacing) + headerGap)
    }

    func draw(on canvas: Canvas, in rect: Rect) {
        guard rows > 0, columns > 0 else { return }
        let left = rowLabels.isEmpty ? 0 : (rowLabels.map { Text.measure(canvas, $0, size: ImageGrid.labelSize).width }.max() ?? 0) + 8
        let titleHeight = title.isEmpty ? 0 : 20.0
        let top = titleHeight + (columnLabels.isEmpty ? 0 : ImageGrid.labelSize + 6)
        let cell = max(1, min((rect.width - left) / Double(columns) - spacing, (rect.height - top - headerGap) / Double(rows) - spacing))
        let gridWidth = left + Double(columns) * (cell + spacing)
        let x0 = rect.x + max(0, (rect.width - gridWidth) / 2)
        if !title.isEmpty {
            Text.draw(canvas, title, x: x0 + left + Double(columns) * (cell + spacing) / 2, y: rect.y + 2, size: Axes.titleSize,
                      anchor: .middle, baseline: .top, bold: true)
        }
        for (c, label) in columnLabels.enumerated() where c < columns {
            Text.draw(canvas, label, x: x0 + left + Double(c) * (cell + spacing) + cell / 2, y: rect.y + titleHeight + 2,
                      size: ImageGrid.labelSize, anchor: .middle, baseline: .top)
        }
        for (r, row) in cells.enumerated() {
            let y = rect.y + top + Double(r) * (cell + spacing) + (r > 0 ? headerGap : 0)
            if r < rowLabels.count {
                Text.draw(canvas, rowLabels[r], x: x0 + left - 6, y: y + cell / 2, size: ImageGrid.labelSize, anchor: .end, baseline: .middle)
            }
            for (c, image) in row.enumerated() {
                guard let image else { continue }
                canvas.image(image, x: x0 + left + Double(c) * (cell + spacing), y: y, width: cell, height: cell)
            }
        }
    }
}
