import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// The report's charts of training: loss curves and KL per dimension, from metrics.csv.
extension RunFigures {
    static func lossCurves(_ data: RunData) -> FigureSpec {
        let train = data.metrics.rows(split: "train"), test = data.metrics.rows(split: "test")
        func points(_ value: (MetricsRow) -> Double) -> [(epoch: Int, value: Double)] { (train + test).map { ($0.epoch, value($0)) } }
        // NELBO and reconstruction look alike side by side: where one breaks its axis, so does the other.
        let losses = [points(\.nelbo), points(\.recon)].contains { UntrainedEpoch.limits($0) != nil } ? 0 : UntrainedEpoch.threshold
        func panel(_ title: String, _ value: (MetricsRow) -> Double, threshold: Double = UntrainedEpoch.threshold) -> Axes {
            UntrainedEpoch.apply(to: Axes(title: title, xLabel: "epoch", yLabel: "nats per image", marks: [
                .line(LineSeries(x: train.map { Double($0.epoch) }, y: train.map(value), label: "train")),
                .line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map(value), label: "test", markers: test.count <= 40)),
            ], xIntegerTicks: true), points(value), threshold: threshold)
        }
        var kl = panel("KL", \.kl)
        var caption = "Per-image negative ELBO at β = 1 (reconstruction + KL), reconstruction NLL and KL, in nats. Train rows are the running mean over each epoch's steps; test rows cover the whole test split with one z sample per image. Epoch 0 is the untrained model; where its value lies more than twice the trained epochs' spread beyond them, a panel's axis fits the trained epochs (the NELBO and reconstruction panels together) and a note at the top (↑) or bottom (↓) gives epoch 0's value."
        if case .capacity = data.config.objective {
            kl.marks.append(.line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map(\.capacity), label: "capacity C", color: .ink, dashed: true)))
            for row in test where abs(row.kl - row.capacity) > 1 && row.epoch > 0 {
                kl.marks.insert(.band(from: Double(row.epoch) - 0.5, to: Double(row.epoch) + 0.5, label: "|KL − C| > 1 nat",
                                      color: Color(hex: 0xD55E00)), at: 0)
            }
            caption += " The KL panel shows the capacity C at the end of each epoch (Burgess et al. 2018); shaded epochs have a test KL more than 1 nat away from C."
        }
        if let source = data.config.importedFrom, source.hasTrainingLog {
            // The train rows were not measured here: say whose they are.
            caption = "Per-image negative ELBO at β = 1 (reconstruction + KL), reconstruction NLL and KL, in nats. Train rows up to epoch \(source.epoch ?? 0) "
                + "come from the other repository's training log (\(source.metricsFormat ?? "") format: its mean over each epoch's batches); "
                + "test rows are betavae's evaluation of the weights on the whole test split, one z sample per image."
        }
        let terms = ObjectiveTermFigures.panels(data.metrics, objective: data.config.objective)
        caption += ObjectiveTermFigures.caption(data.config.objective)
        let panels: [Panel] = [.axes(panel("NELBO (β = 1)", \.nelbo, threshold: losses)), .axes(panel("reconstruction", \.recon, threshold: losses)),
                               .axes(kl)] + terms.map { .axes($0) }
        return FigureSpec(name: "loss-curves", title: "Loss curves", caption: caption,
                          alt: "Line charts of train and test NELBO, reconstruction and KL" + (terms.isEmpty ? "" : " and the objective's own terms") + " against epoch",
                          figure: Figure(width: 320 * Double(panels.count), height: 300, columns: panels.count, panels: panels),
                          vector: true)
    }

    /// KL per dimension over epochs (lines) and at the end (bars), each dimension in the same
    /// colour in both panels: the eight of largest final KL in the categorical palette, the rest grey.
    static func klPerDimension(_ data: RunData) -> FigureSpec {
        let test = data.metrics.rows(split: "test")
        let usage = data.usage
        let order = usage.dimensionsByKL
        func color(rank: Int) -> Color { rank < 8 ? Color.category(rank) : Color(hex: 0xBBBBBB) }
        let lines: [Mark] = order.enumerated().map { rank, j in
            .line(LineSeries(x: test.map { Double($0.epoch) }, y: test.map { $0.klPerDimension[j] },
                             label: rank < 8 ? "z\(j)" : "", color: color(rank: rank)))
        }
        let rankOf = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        let final = test.last?.klPerDimension ?? usage.klPerDimension
        let bars = BarSeries(categories: (0..<data.latent).map { "z\($0)" }, groups: [("test, epoch \(test.last?.epoch ?? 0)", final)],
                             highlighted: Set(usage.activeUnits),
                             categoryColors: (0..<data.latent).map { color(rank: rankOf[$0] ?? data.latent) })
        let caption = "Test KL per latent dimension, over epochs (left) and at the end (right), each dimension in the same colour in both: the eight largest in colour, the others grey. Outlined bars are active units — Var over x of E[z_j | x] > 0.01 (Burda et al. 2016): \(usage.activeUnits.count) of \(data.latent)."
        if Set(test.map(\.epoch)).count < 2 {
            // One test row (an imported run): a curve over epochs would be a single invisible point.
            return FigureSpec(name: "kl-per-dim", title: "KL per dimension",
                              caption: "Test KL per latent dimension at epoch \(test.last?.epoch ?? 0), the run's only evaluated epoch: the eight largest in colour, the others grey. Outlined bars are active units — Var over x of E[z_j | x] > 0.01 (Burda et al. 2016): \(usage.activeUnits.count) of \(data.latent).",
                              alt: "Bar chart of KL per dimension",
                              figure: Figure(width: 560, height: 320, columns: 1, panels: [
                                .axes(Axes(title: "test, epoch \(test.last?.epoch ?? 0)", xLabel: "latent dimension", yLabel: "nats", marks: [.bars(bars)], showLegend: false)),
                              ]), vector: true)
        }
        return FigureSpec(name: "kl-per-dim", title: "KL per dimension", caption: caption,
                          alt: "Line chart of KL per dimension over epochs and bar chart of final KL per dimension",
                          figure: Figure(width: 960, height: 320, columns: 2, panels: [
                            .axes(Axes(title: "over epochs", xLabel: "epoch", yLabel: "nats", marks: lines, legendOutside: true, xIntegerTicks: true)),
                            .axes(Axes(title: "at the end", xLabel: "latent dimension", yLabel: "nats", marks: [.bars(bars)], showLegend: false)),
                          ]), vector: true)
    }
}
