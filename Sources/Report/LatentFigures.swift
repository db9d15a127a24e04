import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// The report's views of the latent space: PCA of the test means, traversals, the posterior
/// neighbourhood of one image, and the latent × factor mutual information.
extension RunFigures {
    /// The test means in the plane: a 2-D latent as it is (axes z0 and z1, the names the other
    /// figures use), a larger one through PCA.
    static func latentPCA(_ data: RunData) throws -> FigureSpec? {
        guard let first = data.snapshots.first, let last = data.snapshots.last, first.means.rows > 2, data.latent >= 2 else { return nil }
        let names = data.config.classNames
        let raw = data.latent == 2
        func panel(_ snapshot: Snapshot, legend: Bool) throws -> Axes {
            let xs: [Double], ys: [Double], xLabel: String, yLabel: String
            if raw {
                let means = snapshot.means.scalars
                xs = (0..<snapshot.means.rows).map { Double(means[2 * $0]) }
                ys = (0..<snapshot.means.rows).map { Double(means[2 * $0 + 1]) }
                (xLabel, yLabel) = ("z0", "z1")
            } else {
                let (px, py, ratios) = try data.projection(of: snapshot) ?? ([], [], [0, 0])
                (xs, ys) = (px, py)
                (xLabel, yLabel) = (String(format: "PC1 (%.1f%%)", 100 * ratios[0]), String(format: "PC2 (%.1f%%)", 100 * ratios[1]))
            }
            let many = xs.count > 2000
            return Axes(title: "epoch \(snapshot.epoch)", xLabel: xLabel, yLabel: yLabel,
                        marks: [.scatter(ScatterSeries(x: xs, y: ys, categories: snapshot.labels, categoryNames: names,
                                                       alpha: many ? 0.35 : 0.7, radius: many ? 1.4 : 2.2))],
                        showLegend: legend, legendOutside: true)
        }
        let caption = raw
            ? "Posterior means (z0, z1) of the \(last.means.rows) test images, coloured by label, for the untrained model (epoch 0) and the last epoch: the 2-D latent as it is, without PCA. Each panel has its own axes."
            : "Posterior means of the \(last.means.rows) test images projected on their first two principal components (LAPACK ssyevd on the covariance), coloured by label, for the untrained model (epoch 0) and the last epoch. Each panel has its own PCA and axes; the axis titles give each component's share of the variance."
        if data.snapshots.count == 1 {
            // An imported run's only snapshot: one panel, not the same one twice.
            let what = raw ? "Posterior means (z0, z1) of the \(last.means.rows) test images, coloured by label, the 2-D latent as it is"
                : "Posterior means of the \(last.means.rows) test images projected on their first two principal components (LAPACK ssyevd on the covariance), coloured by label; the axis titles give each component's share of the variance"
            return FigureSpec(name: "latent-pca", title: raw ? "Latent space" : "Latent space (PCA)",
                              caption: what + ", at epoch \(last.epoch), the run's only snapshot (imported weights have no earlier epoch).",
                              alt: "Scatter plot of test-set posterior means" + (raw ? " in the 2-D latent plane" : " in PCA coordinates") + ", coloured by class",
                              figure: Figure(width: 560, height: 420, columns: 1, panels: [.axes(try panel(last, legend: true))]), vector: true)
        }
        return FigureSpec(name: "latent-pca", title: raw ? "Latent space" : "Latent space (PCA)", caption: caption,
                          alt: raw ? "Two scatter plots of test-set posterior means in the 2-D latent plane, coloured by class"
                                   : "Two scatter plots of test-set posterior means in PCA coordinates, coloured by class",
                          figure: Figure(width: 1000, height: 420, columns: 2, panels: [.axes(try panel(first, legend: false)),
                                                                                       .axes(try panel(last, legend: true))]),
                          vector: true)
    }

    /// What the static and the animated traversal share: the dimensions (by KL), the base code, each
    /// row's 11 values, the decodes (row r, column c at r × 11 + c), the row labels and the caption's words.
    struct Traversal {
        var dimensions: [Int]
        var values: [[Float]]
        var images: [GridImage]
        var rowLabels: [String]
        var sweep: String
        var baseText: String
    }

    static func traversal(_ data: RunData, options: TraversalOptions, count: Int) -> Traversal {
        let usage = data.evaluation.usage
        let dimensions = Array(usage.dimensionsByKL.prefix(count))
        let encoded = data.testPosterior(limit: 1)
        let base = options.fromZero ? [Float](repeating: 0, count: data.latent) : Array(encoded.means.scalars[0..<data.latent])
        // The aggregate-posterior and min–max ranges need the test means (from the last snapshot).
        let means = data.snapshots.last?.means
        let (codes, values) = LatentWalks.traversal(base: base, dimensions: dimensions, range: options.range, steps: 11, means: means)
        let labels = data.config.model.conditionClasses > 0 ? [Int](repeating: encoded.labels[0], count: codes.rows) : []
        let images = data.decodeImages(codes, labels: labels)
        // Column labels hold only where every row shares them: the prior's quantiles, or the fixed
        // sweep around the zero code. A fixed sweep around a test image's mean moves each row around
        // its own base value, so its columns say the offset and each row says its base.
        let perRow = options.range == .aggregatePosterior || options.range == .minMax
        let offsets = options.range == .fixed && !options.fromZero
        let rowLabels = dimensions.indices.map { r in
            let j = dimensions[r]
            let range = perRow ? "  [\(signed(values[r].first ?? 0)), \(signed(values[r].last ?? 0))]"
                : (offsets ? "  base \(signed(base[j]))" : "")
            let tracked = role(data, j)
            return String(format: "z%d  KL %.2f", j, usage.klPerDimension[j]) + (tracked.isEmpty ? "" : "  " + tracked) + range
        }
        let sweep: String
        switch options.range {
        case .fixed: sweep = options.fromZero ? "from −3 to +3" : "from 3 below to 3 above its own base value (shown in each row's label)"
        case .priorQuantiles: sweep = "over the prior's 5% to 95% quantiles"
        case .aggregatePosterior: sweep = "over ±2 standard deviations of the test means (the aggregate posterior), its range shown per row"
        case .minMax: sweep = "from the smallest to the largest test mean, its range shown per row"
        }
        let baseText = options.fromZero ? "the zero code" : "the posterior mean of test image 0"
        return Traversal(dimensions: dimensions, values: values, images: images, rowLabels: rowLabels, sweep: sweep, baseText: baseText)
    }

    static func traversals(_ data: RunData, options: TraversalOptions) -> FigureSpec {
        let t = traversal(data, options: options, count: 12)
        let grid = ImageGrid(cells: t.dimensions.indices.map { r in (0..<11).map { t.images[r * 11 + $0] } },
                             rowLabels: t.rowLabels, columnLabels: traversalColumnLabels(options, values: t.values))
        return FigureSpec(name: "traversals", title: "Latent traversals",
                          caption: "Each row sweeps one latent dimension \(t.sweep), the others held at \(t.baseText); rows are ordered by the dimension's test KL (shown), the \(t.dimensions.count) largest of \(data.latent)." + roleNote(data),
                          alt: "Grid of decoded images: one row per latent dimension swept across its range", figure: gridFigure(grid, cell: 40),
                          vector: false)
    }

    /// The animated traversal's frames visit the static figure's 11 columns out and back.
    static let animatedColumns = Array(0..<11) + Array((1..<10).reversed())
    static let animatedTraversalDelay = 8
    static let animatedTraversalRows = 32

    /// Every latent dimension (up to 32, by KL) in one column, each row sweeping its dimension over
    /// the static figure's range and back: 20 frames, 8 cs each.
    static func animatedTraversals(_ data: RunData, options: TraversalOptions) -> FigureSpec {
        let t = traversal(data, options: options, count: animatedTraversalRows)
        let offsets = options.range == .fixed && !options.fromZero
        let perRow = options.range == .aggregatePosterior || options.range == .minMax
        let frames = animatedColumns.map { c -> Figure in
            let title: String
            if perRow { title = "step \(c) of 10" } else if offsets { title = c == 5 ? "base" : "base \(c < 5 ? "−" : "+") \(signed(abs(Float(c - 5)) * 0.6))" }
            else { title = "z = \(signed(t.values.first?[c] ?? 0))" }
            let grid = ImageGrid(cells: t.dimensions.indices.map { [t.images[$0 * 11 + c]] }, rowLabels: t.rowLabels,
                                 title: title)
            // One column of cells: 60 points more width so the centred title ("base − 3.0") is not clipped.
            let size = grid.naturalSize(cell: 40)
            return Figure(width: (size.width + 76).rounded(), height: (size.height + 16).rounded(), .images(grid))
        }
        let which = t.dimensions.count == data.latent ? "all \(data.latent) dimensions" : "the \(t.dimensions.count) largest of \(data.latent)"
        let cycle = String(format: "%.1f", Double(animatedColumns.count * animatedTraversalDelay) / 100)
        return FigureSpec(name: "traversals-animated", title: "Latent traversals, animated",
                          caption: "Each row sweeps one latent dimension \(t.sweep) and back, the others held at \(t.baseText): \(animatedColumns.count) frames (the 11 columns of the static traversal out, 9 back), \(animatedTraversalDelay) cs each (\(cycle) s a cycle), looping; the title gives the position. Rows are ordered by test KL (shown): \(which). An animated GIF (256 grey levels for grey images, else a 6 × 7 × 6 colour cube).",
                          alt: "Animated GIF: one decoded image per latent dimension, each sweeping its dimension back and forth",
                          figure: frames[0], vector: false, animation: Animation(frames: frames, delay: animatedTraversalDelay))
    }

    /// The 11 column labels of the traversal grid: values where every row shares them (the prior's
    /// quantiles, or ±3 around the zero code), "base − 3 … base + 3" for the fixed sweep around a
    /// test image (each row has its own base, shown in its label), and "low"/"high" for per-row ranges.
    static func traversalColumnLabels(_ options: TraversalOptions, values: [[Float]]) -> [String] {
        if options.range == .aggregatePosterior || options.range == .minMax { return ["low"] + Array(repeating: "", count: 9) + ["high"] }
        let offsets = options.range == .fixed && !options.fromZero
        if offsets { return (0..<11).map { [0: "base − 3", 5: "base", 10: "base + 3"][$0] ?? "" } }
        return (0..<11).map { $0 % 5 == 0 ? signed(values.first?[$0] ?? 0) : "" }
    }

    /// One decimal with a true minus sign, and no "−0.0".
    static func signed(_ value: Float) -> String {
        let text = String(format: "%.1f", value)
        return text == "-0.0" ? "0.0" : text.replacingOccurrences(of: "-", with: "−")
    }

    static func posteriorGrid(_ data: RunData) -> FigureSpec? {
        let order = data.evaluation.usage.dimensionsByKL
        guard order.count >= 2 else { return nil }
        let encoded = data.testPosterior(limit: 1)
        let codes = LatentWalks.posteriorGrid(mean: Array(encoded.means.scalars), logVariance: Array(encoded.logVariances.scalars),
                                              dimensions: order[0], order[1], side: 7)
        let labels = data.config.model.conditionClasses > 0 ? [Int](repeating: encoded.labels[0], count: 49) : []
        let images = data.decodeImages(codes, labels: labels)
        let grid = ImageGrid(cells: (0..<7).map { r in (0..<7).map { images[r * 7 + $0] } },
                             rowLabels: ["+2σ", "", "", "0", "", "", "−2σ"], columnLabels: ["−2σ", "", "", "0", "", "", "+2σ"])
        return FigureSpec(name: "posterior-grid", title: "Posterior neighbourhood",
                          caption: "Decodes of μ + σ·ε for test image 0 with ε on a 7 × 7 grid over [−2, 2]² in the two dimensions of largest KL (z\(order[0]) across, z\(order[1]) down) and ε = 0 in the others.",
                          alt: "7 by 7 grid of decodes around one test image's posterior", figure: gridFigure(grid, cell: 40), vector: false)
    }

    static func factorMI(_ data: RunData) -> FigureSpec? {
        guard let d = data.evaluation.disentanglement, d.hasFactors, !d.mutualInformation.isEmpty else { return nil }
        let inactive = Set(d.inactiveLatents ?? [])
        let heatmap = Heatmap(values: d.mutualInformation, rowLabels: d.mutualInformation.indices.map { "z\($0)" + (inactive.contains($0) ? " inactive" : "") },
                              columnLabels: d.factorNames, colorbarLabel: "nats", annotate: d.factorNames.count <= 8)
        let height = max(260, Double(d.mutualInformation.count) * 18 + 90)
        return FigureSpec(name: "factor-mi", title: "Mutual information between latents and factors",
                          caption: data.loaded.dataset.train.factors != nil
                            ? "Mutual information (nats) between each latent dimension's posterior mean, discretised into 20 equal-width bins, and each known factor, on " + (d.details.map { "\($0.sampleSizes["representationTrain"] ?? 0) points (\($0.source)), the first of \($0.repeats) evaluation seeds" } ?? "the pool of the supervised metrics") + " (disentanglement_lib's estimator). MIG is the mean over factors of the gap between a column's two largest values, divided by the factor's entropy." + (inactive.isEmpty ? "" : " Rows marked inactive are latents whose posterior mean barely moves (variance < 0.01 over these points): they are binned over their tiny range like the others, as disentanglement_lib does; \"MIG, inactive latents masked\" in the scores table sets their mutual information to 0 instead.")
                            : "Mutual information (nats) between each latent dimension's posterior mean, discretised into 20 equal-width bins, and the class label, on the test split (disentanglement_lib's estimator).",
                          alt: "Heatmap of mutual information between latent dimensions and factors",
                          figure: Figure(width: 560, height: height, .axes(Axes(xLabel: "factor", yLabel: "latent dimension", marks: [.heatmap(heatmap)]))),
                          vector: true)
    }
}
