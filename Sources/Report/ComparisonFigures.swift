import Analysis
import Engine
import Foundation
import Plot
import Training

/// The figures of a comparison page.
enum ComparisonFigures {
    static func klHeatmap(_ runs: [RunData], labels: [String]) -> FigureSpec {
        let width = runs.map(\.latent).max() ?? 1
        let values: [[Double]] = runs.map { run in
            let sorted = run.evaluation.usage.klPerDimension.sorted(by: >)
            return (0..<width).map { $0 < sorted.count ? sorted[$0] : .nan }
        }
        let heatmap = Heatmap(values: values, rowLabels: labels, columnLabels: (1...width).map { "#\($0)" }, colorbarLabel: "KL (nats)",
                              annotate: width <= 12)
        return FigureSpec(name: "kl-heatmap", title: "KL per dimension across runs",
                          caption: "Each run's test KL per latent dimension, dimensions sorted from largest to smallest KL within the run (#1 is the most used): how many dimensions each β keeps.",
                          alt: "Heatmap of KL per sorted latent dimension, one row per run",
                          figure: Figure(width: 820, height: max(220, 60 + 34 * Double(runs.count) + 40),
                                         .axes(Axes(xLabel: "dimension, by KL rank", marks: [.heatmap(heatmap)]))),
                          vector: true)
    }

    /// One run's row: reconstructions, samples, the top traversals and its PCA scatter.
    static func runRow(_ run: RunData, label: String, index: Int) throws -> FigureSpec {
        // Ground truth and reconstructions as the last snapshot saved them (no re-encoding).
        guard let last = run.snapshots.last else { throw ReportError.incompatibleRuns("\(run.loaded.run.path) has no snapshot") }
        let count = min(8, last.validationImages.rows)
        let reconstructionGrid = ImageGrid(cells: [(0..<count).map { RunData.image(last.validationImages, $0) },
                                                   (0..<count).map { RunData.image(last.reconstructions, $0) }],
                                           title: "reconstructions, epoch \(last.epoch)")
        let posterior = run.testPosterior(limit: 1)
        let labels = run.config.model.conditionClasses > 0 ? posterior.labels : []
        let samples = run.priorSampleImages(count: 16)
        let sampleGrid = ImageGrid(cells: (0..<2).map { r in (0..<8).map { samples[r * 8 + $0] } }, title: "samples")
        let top = Array(run.evaluation.usage.dimensionsByKL.prefix(3))
        let base = Array(posterior.means.scalars[0..<run.latent])
        let (codes, _) = LatentWalks.traversal(base: base, dimensions: top, range: .fixed, steps: 7)
        let traversed = run.decodeImages(codes, labels: labels.isEmpty ? [] : [Int](repeating: labels[0], count: codes.rows))
        let traversalGrid = ImageGrid(cells: top.indices.map { r in (0..<7).map { traversed[r * 7 + $0] } },
                                      rowLabels: top.map { "z\($0)" }, title: "traversals ±3")
        var panels: [Panel] = [.images(reconstructionGrid), .images(sampleGrid), .images(traversalGrid)]
        if let projection = try run.projection(of: last) {
            panels.append(.axes(Axes(title: "PCA of test means",
                                     xLabel: String(format: "PC1 (%.0f%%)", 100 * projection.ratios[0]),
                                     yLabel: String(format: "PC2 (%.0f%%)", 100 * projection.ratios[1]),
                                     marks: [.scatter(ScatterSeries(x: projection.x, y: projection.y,
                                                                    categories: last.labels, categoryNames: run.config.classNames,
                                                                    alpha: 0.3, radius: 1.1))],
                                     legendOutside: true)))
        }
        return FigureSpec(name: "run-\(index)", title: label,
                          caption: "\(run.config.name): test images 0–7 and their reconstructions at the last snapshot, 16 prior samples, traversals of the three dimensions of largest KL around test image 0, and the PCA of the test means (coloured by label).",
                          alt: "Reconstructions, samples, traversals and latent scatter of \(label)",
                          figure: runRowFigure(panels, grids: [[reconstructionGrid, sampleGrid], [traversalGrid]]), vector: false)
    }

    /// Two panels a row, 1100 points wide, so each image is about 70 points wide (large enough to
    /// see a digit's strokes); each row as tall as its grids' cells fill at that width (the PCA
    /// at least 280), so no row leaves a blank band under its images.
    static func runRowFigure(_ panels: [Panel], grids: [[ImageGrid]]) -> Figure {
        let width = 1100.0, panelWidth = width / 2 - 8
        var heights = grids.map { row in (row.map { $0.height(forWidth: panelWidth) }.max() ?? 0).rounded(.up) + 8 }
        if panels.count > 3 { heights[1] = max(heights[1], 280) }   // the PCA scatter beside the traversals
        var figure = Figure(width: width, height: heights.reduce(0, +), columns: 2, panels: panels)
        figure.rowHeights = heights
        return figure
    }
}
