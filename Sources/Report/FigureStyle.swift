import Foundation
import Plot

/// How a report's figures are sized (`--figure-style`): for reading on the page, or for setting
/// in one column of a two-column paper without scaling, so that the text prints at the stated
/// size.
public enum FigureStyle: String, CaseIterable, Sendable {
    /// About 1000 points wide, text 9–11 pt, PNG at 2×.
    case screen
    /// 3.25 in (234 pt) wide, panels stacked, text 8–9 pt, PNG at 300 dpi.
    case paper

    /// One column of a two-column paper (the ACM, IEEE and ICML formats): 3.25 in.
    static let columnWidth = 234.0

    var textSizes: TextSizes { self == .screen ? .screen : .paper }

    /// Pixels per point of the PNG: 2 for sharp screens; 300 dpi for print.
    var pngScale: Double { self == .screen ? 2 : 300.0 / 72 }

    /// `figure` at this style's size. Paper: charts stack their panels in one column 234 pt wide,
    /// each panel 165 pt high (a heatmap 62% of its screen height, at least 160 pt, so its rows
    /// keep room for 8 pt labels); an image grid keeps its labels and shrinks its cells until it
    /// fits the column.
    func apply(_ figure: Figure) -> Figure {
        guard self == .paper else { return figure }
        let width = FigureStyle.columnWidth
        if figure.panels.count == 1, case .images(let grid) = figure.panels[0] {
            // Figure.draw insets each panel by 4 pt and the report's grids keep 4 pt more around them.
            let fixed = grid.naturalSize(cell: 0, sizes: .paper), perCell = grid.naturalSize(cell: 1, sizes: .paper)
            let cells = max(perCell.width - fixed.width, 1)
            let cell = ((width - 16 - fixed.width) / cells * 2).rounded(.down) / 2
            var styled = Figure(width: width, height: (grid.naturalSize(cell: cell, sizes: .paper).height + 16).rounded(.up), .images(grid))
            styled.textSizes = .paper
            return styled
        }
        let rows = (figure.panels.count + figure.columns - 1) / figure.columns
        let screenPanelHeight = figure.height / Double(max(rows, 1))
        let heatmap = figure.panels.contains { panel in
            guard case .axes(let axes) = panel else { return false }
            return axes.marks.contains { if case .heatmap = $0 { return true } else { return false } }
        }
        let panelHeight = heatmap ? max(160, (screenPanelHeight * 0.62).rounded()) : 165
        var styled = Figure(width: width, height: panelHeight * Double(figure.panels.count), columns: 1, panels: figure.panels)
        styled.textSizes = .paper
        return styled
    }

    /// The sizes a reader needs to set the figure: "960 × 300 pt, text 9–11 pt".
    static func sizeNote(_ figure: Figure) -> String {
        let range = figure.textSizes.range
        let text = range.lowerBound == range.upperBound ? RunData.number(range.lowerBound) : "\(RunData.number(range.lowerBound))–\(RunData.number(range.upperBound))"
        return "\(RunData.number(figure.width)) × \(RunData.number(figure.height)) pt, text \(text) pt"
    }
}
