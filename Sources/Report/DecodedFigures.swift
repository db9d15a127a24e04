import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// The report's grids of decoded images: reconstructions over epochs, prior samples,
/// interpolations, the 2-D manifold and the class grid of a conditional model.
extension RunFigures {
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
                          caption: "The first \(n) test images (top row) and their reconstructions at each snapshot epoch: the decoder's mean for z = μ(x)\(data.config.model.likelihood == .bernoulli ? " (the sigmoid of the logits)" : "").",
                          alt: "Grid of test images and their reconstructions by epoch", figure: gridFigure(grid, cell: 40), vector: false)
    }

    static let animatedReconstructionDelay = 50

    /// The reconstruction table as an animation: one frame per snapshot epoch, the test images
    /// above their reconstructions at that epoch.
    static func animatedReconstructions(_ data: RunData) -> FigureSpec? {
        guard let first = data.snapshots.first else { return nil }
        let n = first.validationImages.rows
        let truth: [GridImage?] = (0..<n).map { RunData.image(first.validationImages, $0) }
        let frames = data.snapshots.map { snapshot in
            gridFigure(ImageGrid(cells: [truth, (0..<n).map { RunData.image(snapshot.reconstructions, $0) }],
                                 rowLabels: ["ground truth", "reconstruction"], title: "epoch \(snapshot.epoch)", headerGap: 6), cell: 40)
        }
        let epochs = data.snapshots.map { String($0.epoch) }.joined(separator: ", ")
        return FigureSpec(name: "reconstructions-animated", title: "Reconstructions, animated",
                          caption: "The first \(n) test images (top) and their reconstructions (the decoder's mean for z = μ(x)\(data.config.model.likelihood == .bernoulli ? ", the sigmoid of the logits" : "")) at each snapshot epoch: \(frames.count) frames (epochs \(epochs), named in the title), \(animatedReconstructionDelay) cs each, looping. An animated GIF (256 grey levels for grey images, else a 6 × 7 × 6 colour cube).",
                          alt: "Animated GIF: test images and their reconstructions, one frame per snapshot epoch",
                          figure: frames[0], vector: false, animation: Animation(frames: frames, delay: animatedReconstructionDelay))
    }

    static func samples(_ data: RunData) -> FigureSpec {
        let images = data.priorSampleImages(count: 64)
        let grid = ImageGrid(cells: (0..<8).map { r in (0..<8).map { images[r * 8 + $0] } })
        return FigureSpec(name: "samples", title: "Samples", caption: "64 decodes of z ~ N(0, I) drawn from the run's seed" + (data.config.model.conditionClasses > 0
                            ? ", the conditional decoder given labels in turn (image i, counted row by row, gets class i mod \(data.config.model.conditionClasses))." : "."),
                          alt: "8 by 8 grid of images decoded from prior samples", figure: gridFigure(grid, cell: 44), vector: false)
    }

    static func interpolations(_ data: RunData) -> FigureSpec? {
        guard data.loaded.dataset.test.count >= 8 else { return nil }
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

    /// The decoded latent plane as a plane: cells edge to edge, z0 across and z1 up, each
    /// labelled with its value at every other cell.
    static func manifold(_ data: RunData) -> FigureSpec {
        // A conditional decoder needs a label: the first class, named in the caption.
        let conditional = data.config.model.conditionClasses > 0
        let side = 15
        let codes = LatentWalks.manifold(side: side)
        let images = data.decodeImages(codes, labels: conditional ? [Int](repeating: 0, count: side * side) : [])
        func value(_ v: Float) -> String { String(format: "%.2f", v).replacingOccurrences(of: "-", with: "−") }
        // Row 0 holds the z0 values across; column 0 the z1 values down (largest at the top).
        let columnLabels = (0..<side).map { $0 % 2 == 0 ? value(codes[$0 * 2]) : "" }
        let rowLabels = (0..<side).map { $0 % 2 == 0 ? value(codes[$0 * side * 2 + 1]) : "" }
        let grid = ImageGrid(cells: (0..<side).map { r in (0..<side).map { images[r * side + $0] } }, rowLabels: rowLabels,
                             columnLabels: columnLabels, xLabel: "z0", yLabel: "z1", spacing: 0)
        let label = conditional ? " with the label \(data.config.classNames.first ?? "0")" : ""
        return FigureSpec(name: "manifold", title: "Decoded latent plane",
                          caption: "Decodes\(label) over a 15 × 15 grid of the 2-D latent plane at the prior's quantiles Φ⁻¹(0.05 … 0.95) (Kingma & Welling 2014, figure 4): z0 grows to the right and z1 upwards, their values written at every other column and row.",
                          alt: "15 by 15 grid of images decoded across the two-dimensional latent plane, z0 across and z1 up", figure: gridFigure(grid, cell: 30), vector: false)
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
}
