import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// How the report's traversal figure sweeps the code (issue 5's ranges and bases).
public struct TraversalOptions: Sendable {
    public var range: TraversalRange = .fixed
    /// Sweep around the zero code instead of test image 0's posterior mean.
    public var fromZero = false
    public init(range: TraversalRange = .fixed, fromZero: Bool = false) {
        self.range = range
        self.fromZero = fromZero
    }
}

/// The figures of one run's report, each named by what it shows.
enum RunFigures {
    static let all = ["loss-curves", "kl-per-dim", "reconstructions", "samples", "interpolations", "latent-pca",
                      "traversals", "posterior-grid", "manifold", "class-grid", "factor-mi"]

    /// The figures that apply to this run, in page order.
    static func specs(_ data: RunData, only: Set<String>? = nil, traversal: TraversalOptions = TraversalOptions()) throws -> [FigureSpec] {
        var specs: [FigureSpec] = []
        func add(_ name: String, _ make: () throws -> FigureSpec?) throws {
            guard only == nil || only?.contains(name) == true else { return }
            if let spec = try make() { specs.append(spec) }
        }
        try add("loss-curves") { lossCurves(data) }
        try add("kl-per-dim") { klPerDimension(data) }
        try add("reconstructions") { reconstructions(data) }
        try add("samples") { samples(data) }
        try add("interpolations") { interpolations(data) }
        try add("latent-pca") { try latentPCA(data) }
        try add("traversals") { traversals(data, options: traversal) }
        try add("posterior-grid") { posteriorGrid(data) }
        try add("manifold") { data.latent == 2 ? manifold(data) : nil }
        try add("class-grid") { data.config.model.conditionClasses > 0 ? classGrid(data) : nil }
        try add("factor-mi") { factorMI(data) }
        return specs
    }

    static func lossCurves(_ data: RunData) -> FigureSpec {
        let train = data.metrics.rows(split: "train"), test = data.metrics.rows(split: "test")
        func panel(_ title: String, _ value: (MetricsRow) -> Double) -> Axes {
            Axes(title: title, xLabel: "epoch", yLabel: "nats per image", marks: [
                .line(LineSeries(x: train.map { Double($0.epoch) }, y: train.map(value), label: "train")),
                .line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map(value), label: "test", markers: test.count <= 40)),
            ], xIntegerTicks: true)
        }
        var kl = panel("KL", \.kl)
        var caption = "Per-image negative ELBO at β = 1 (reconstruction + KL), reconstruction NLL and KL, in nats. Train rows are the running mean over each epoch's steps; test rows cover the whole test split with one z sample per image. Epoch 0 is the untrained model."
        if case .capacity = data.config.objective {
            kl.marks.append(.line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map(\.capacity), label: "capacity C", color: .ink, dashed: true)))
            for row in test where abs(row.kl - row.capacity) > 1 && row.epoch > 0 {
                kl.marks.insert(.band(from: Double(row.epoch) - 0.5, to: Double(row.epoch) + 0.5, label: "|KL − C| > 1 nat",
                                      color: Color(hex: 0xD55E00)), at: 0)
            }
            caption += " The KL panel shows the capacity C at the end of each epoch (Burgess et al. 2018); shaded epochs have a test KL more than 1 nat away from C."
        }
        return FigureSpec(name: "loss-curves", title: "Loss curves", caption: caption,
                          alt: "Three line charts of train and test NELBO, reconstruction and KL against epoch",
                          figure: Figure(width: 960, height: 300, columns: 3, panels: [.axes(panel("NELBO (β = 1)", \.nelbo)),
                                                                                    .axes(panel("reconstruction", \.recon)), .axes(kl)]),
                          vector: true)
    }

    static func klPerDimension(_ data: RunData) -> FigureSpec {
        let test = data.metrics.rows(split: "test")
        let usage = data.evaluation.usage
        let order = usage.dimensionsByKL
        let lines: [Mark] = order.enumerated().map { rank, j in
            .line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map { $0.klPerDimension[j] },
                             label: rank < 8 ? "z\(j)" : "", color: rank < 8 ? nil : Color(hex: 0xBBBBBB)))
        }
        let final = test.last?.klPerDimension ?? usage.klPerDimension
        let bars = BarSeries(categories: (0..<data.latent).map { "z\($0)" }, groups: [("test, epoch \(test.last?.epoch ?? 0)", final)],
                             highlighted: Set(usage.activeUnits))
        let caption = "Test KL per latent dimension, over epochs (left; the eight largest coloured) and at the end (right). Outlined bars are active units — Var over x of E[z_j | x] > 0.01 (Burda et al. 2016): \(usage.activeUnits.count) of \(data.latent)."
        return FigureSpec(name: "kl-per-dim", title: "KL per dimension", caption: caption,
                          alt: "Line chart of KL per dimension over epochs and bar chart of final KL per dimension",
                          figure: Figure(width: 960, height: 320, columns: 2, panels: [
                            .axes(Axes(title: "over epochs", xLabel: "epoch", yLabel: "nats", marks: lines, legendOutside: true, xIntegerTicks: true)),
                            .axes(Axes(title: "at the end", xLabel: "latent dimension", yLabel: "nats", marks: [.bars(bars)], showLegend: false)),
                          ]), vector: true)
    }

    static func gridFigure(_ grid: ImageGrid, cell: Double) -> Figure {
        let size = grid.naturalSize(cell: cell)
        return Figure(width: (size.width + 16).rounded(), height: (size.height + 16).rounded(), .images(grid))
    }

    static func reconstructions(_ data: RunData) -> FigureSpec? {
        guard let first = data.snapshots.first else { return nil }
        let n = first.validationImages.rows
        var cells: [[GridImage?]] = [(0..<n).map { RunData.image(first.validationImages, $0) }]
        var labels = ["ground truth"]
        for snapshot in data.snapshots {
            cells.append((0..<n).map { RunData.image(snapshot.reconstructions, $0) })
            labels.append("epoch \(snapshot.epoch)")
        }
        let grid = ImageGrid(cells: cells, rowLabels: labels, headerGap: 6)
        return FigureSpec(name: "reconstructions", title: "Reconstructions",
                          caption: "The first \(n) test images (top row) and their reconstructions at each snapshot epoch: the decoder's mean for z = μ(x)\(data.config.model.likelihood == .bernoulli ? " (σ of the logits)" : "").",
                          alt: "Grid of test images and their reconstructions by epoch", figure: gridFigure(grid, cell: 40), vector: false)
    }

    static func samples(_ data: RunData) -> FigureSpec {
        let images = data.priorSampleImages(count: 64)
        let grid = ImageGrid(cells: (0..<8).map { r in (0..<8).map { images[r * 8 + $0] } })
        return FigureSpec(name: "samples", title: "Samples", caption: "64 decodes of z ~ N(0, I) drawn from the run's seed.",
                          alt: "8 by 8 grid of images decoded from prior samples", figure: gridFigure(grid, cell: 44), vector: false)
    }

    static func interpolations(_ data: RunData) -> FigureSpec? {
        guard data.loaded.dataset.test.count >= 8 else { return nil }
        let set = data.loaded.dataset.test
        let encoded = data.testPosterior(limit: 8)
        var rows: [[GridImage?]] = [], labels: [String] = []
        for pair in 0..<4 {
            let a = Array(encoded.means.scalars[(2 * pair * data.latent)..<((2 * pair + 1) * data.latent)])
            let b = Array(encoded.means.scalars[((2 * pair + 1) * data.latent)..<((2 * pair + 2) * data.latent)])
            let label = data.config.model.conditionClasses > 0 ? [Int](repeating: encoded.labels[2 * pair], count: 16) : []
            rows.append(data.decodeImages(LatentWalks.interpolation(from: a, to: b, steps: 16), labels: label))
            labels.append("\(2 * pair) → \(2 * pair + 1)")
        }
        let grid = ImageGrid(cells: rows, rowLabels: labels, columnLabels: (0..<16).map { $0 == 0 ? "0" : ($0 == 15 ? "1" : "") })
        return FigureSpec(name: "interpolations", title: "Interpolations",
                          caption: "Decodes along the straight line between the posterior means of test images 0 and 1, 2 and 3, 4 and 5, 6 and 7, in 16 steps.",
                          alt: "Four rows of 16 images morphing between pairs of test images", figure: gridFigure(grid, cell: 36), vector: false)
    }

    static func latentPCA(_ data: RunData) throws -> FigureSpec? {
        guard let first = data.snapshots.first, let last = data.snapshots.last, first.means.rows > 2, data.latent >= 2 else { return nil }
        let names = data.config.classNames
        func panel(_ snapshot: Snapshot, legend: Bool) throws -> Axes {
            let (xs, ys, ratios) = try data.projection(of: snapshot) ?? ([], [], [0, 0])
            let many = xs.count > 2000
            return Axes(title: "epoch \(snapshot.epoch)",
                        xLabel: String(format: "PC1 (%.1f%%)", 100 * ratios[0]),
                        yLabel: String(format: "PC2 (%.1f%%)", 100 * ratios[1]),
                        marks: [.scatter(ScatterSeries(x: xs, y: ys, categories: snapshot.labels, categoryNames: names,
                                                       alpha: many ? 0.35 : 0.7, radius: many ? 1.4 : 2.2))],
                        showLegend: legend, legendOutside: true)
        }
        return FigureSpec(name: "latent-pca", title: "Latent space (PCA)",
                          caption: "Posterior means of the \(last.means.rows) test images projected on their first two principal components (LAPACK ssyevd on the covariance), coloured by label, for the untrained model (epoch 0) and the last epoch. Each panel has its own PCA and axes; the axis titles give each component's share of the variance.",
                          alt: "Two scatter plots of test-set posterior means in PCA coordinates, coloured by class",
                          figure: Figure(width: 1000, height: 420, columns: 2, panels: [.axes(try panel(first, legend: false)),
                                                                                       .axes(try panel(last, legend: true))]),
                          vector: true)
    }

    static func traversals(_ data: RunData, options: TraversalOptions) -> FigureSpec {
        let usage = data.evaluation.usage
        let dimensions = Array(usage.dimensionsByKL.prefix(12))
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
        let columnLabels = traversalColumnLabels(options, values: values)
        let grid = ImageGrid(cells: dimensions.indices.map { r in (0..<11).map { images[r * 11 + $0] } },
                             rowLabels: dimensions.indices.map { r in
                                 let j = dimensions[r]
                                 let range = perRow ? "  [\(signed(values[r].first ?? 0)), \(signed(values[r].last ?? 0))]"
                                     : (offsets ? "  base \(signed(base[j]))" : "")
                                 return String(format: "z%d  KL %.2f", j, usage.klPerDimension[j]) + range
                             },
                             columnLabels: columnLabels)
        let sweep: String
        switch options.range {
        case .fixed: sweep = options.fromZero ? "from −3 to +3" : "from −3 to +3 around its own base value (columns give the offset, rows their base)"
        case .priorQuantiles: sweep = "over the prior's 5% to 95% quantiles"
        case .aggregatePosterior: sweep = "over ±2 standard deviations of the test means (the aggregate posterior), its range shown per row"
        case .minMax: sweep = "from the smallest to the largest test mean, its range shown per row"
        }
        let baseText = options.fromZero ? "the zero code" : "the posterior mean of test image 0"
        return FigureSpec(name: "traversals", title: "Latent traversals",
                          caption: "Each row sweeps one latent dimension \(sweep), the others held at \(baseText); rows are ordered by the dimension's test KL (shown), the \(dimensions.count) largest of \(data.latent).",
                          alt: "Grid of decoded images: one row per latent dimension swept across its range", figure: gridFigure(grid, cell: 40),
                          vector: false)
    }

    /// The 11 column labels of the traversal grid: values where every row shares them (the prior's
    /// quantiles, or ±3 around the zero code), offsets from each row's own base for the fixed sweep
    /// around a test image, and "low"/"high" for per-row ranges.
    static func traversalColumnLabels(_ options: TraversalOptions, values: [[Float]]) -> [String] {
        if options.range == .aggregatePosterior || options.range == .minMax { return ["low"] + Array(repeating: "", count: 9) + ["high"] }
        let offsets = options.range == .fixed && !options.fromZero
        return (0..<11).map { column in
            guard column % 5 == 0 else { return "" }
            let value = offsets ? Float(column - 5) * 0.6 : (values.first?[column] ?? 0)
            return (offsets && value > 0 ? "+" : "") + signed(value)
        }
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

    static func manifold(_ data: RunData) -> FigureSpec {
        // A conditional decoder needs a label: the first class, named in the caption.
        let conditional = data.config.model.conditionClasses > 0
        let images = data.decodeImages(LatentWalks.manifold(side: 15), labels: conditional ? [Int](repeating: 0, count: 225) : [])
        let grid = ImageGrid(cells: (0..<15).map { r in (0..<15).map { images[r * 15 + $0] } })
        let label = conditional ? " with the label \(data.config.classNames.first ?? "0")" : ""
        return FigureSpec(name: "manifold", title: "Decoded latent plane",
                          caption: "Decodes\(label) over a 15 × 15 grid of the 2-D latent plane at the prior's quantiles Φ⁻¹(0.05 … 0.95) (Kingma & Welling 2014, figure 4).",
                          alt: "15 by 15 grid of images decoded across the two-dimensional latent plane", figure: gridFigure(grid, cell: 30), vector: false)
    }

    static func classGrid(_ data: RunData) -> FigureSpec {
        var rng = RandomGenerator(seed: data.config.seed &+ 0xC1A5)
        let classes = data.config.model.conditionClasses
        let (codes, labels) = LatentWalks.classGrid(classes: classes, samples: 10, latent: data.latent, rng: &rng)
        let images = data.decodeImages(codes, labels: labels)
        let names = data.config.classNames
        let grid = ImageGrid(cells: (0..<classes).map { c in (0..<10).map { images[c * 10 + $0] } },
                             rowLabels: (0..<classes).map { $0 < names.count ? names[$0] : String($0) })
        return FigureSpec(name: "class-grid", title: "Class × sample grid",
                          caption: "The same 10 prior draws z (columns) decoded with each class label (rows) by the conditional decoder.",
                          alt: "Grid of images: one row per class, one column per prior sample", figure: gridFigure(grid, cell: 36), vector: false)
    }

    static func factorMI(_ data: RunData) -> FigureSpec? {
        guard let d = data.evaluation.disentanglement, !d.mutualInformation.isEmpty else { return nil }
        let heatmap = Heatmap(values: d.mutualInformation, rowLabels: d.mutualInformation.indices.map { "z\($0)" },
                              columnLabels: d.factorNames, colorbarLabel: "nats", annotate: d.factorNames.count <= 8)
        let height = max(260, Double(d.mutualInformation.count) * 18 + 90)
        return FigureSpec(name: "factor-mi", title: "Mutual information between latents and factors",
                          caption: data.loaded.dataset.train.factors != nil
                            ? "Mutual information (nats) between each latent dimension's posterior mean, discretised into 20 equal-width bins, and each known factor, on 10,000 training images (the pool of the supervised metrics; disentanglement_lib's estimator). MIG is the mean over factors of the gap between a column's two largest values, divided by the factor's entropy."
                            : "Mutual information (nats) between each latent dimension's posterior mean, discretised into 20 equal-width bins, and the class label, on the test split (disentanglement_lib's estimator).",
                          alt: "Heatmap of mutual information between latent dimensions and factors",
                          figure: Figure(width: 560, height: height, .axes(Axes(xLabel: "factor", yLabel: "latent dimension", marks: [.heatmap(heatmap)]))),
                          vector: true)
    }
}
