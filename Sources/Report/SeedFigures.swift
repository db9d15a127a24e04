import Analysis
import Foundation
import Plot
import Training

/// The comparison's figures over settings and seeds: curves as the mean of a setting's seeds
/// with their min–max band (each seed faint), every run in the rate–distortion plane coloured by
/// setting, and each score against β (each seed a dot, the mean a line).
enum SeedFigures {
    /// A score the runs may have, how the figure and tables name it, and its decimals.
    struct Score: Sendable {
        var key: String
        var title: String
        var digits: Int
        var value: @Sendable (EvaluationResult) -> Double?
    }

    /// The disentanglement scores (disentanglement_lib's names), then the representation's
    /// usefulness (5-NN accuracy) and size (active units).
    static let scores: [Score] = [
        Score(key: "beta_vae", title: "BetaVAE", digits: 3) { $0.disentanglement?.betaVAE },
        Score(key: "factor_vae", title: "FactorVAE", digits: 3) { $0.disentanglement?.factorVAE },
        Score(key: "mig", title: "MIG", digits: 3) { $0.disentanglement?.mig },
        Score(key: "sap", title: "SAP", digits: 3) { $0.disentanglement?.sap },
        Score(key: "dci_disentanglement", title: "DCI disentanglement", digits: 3) { $0.disentanglement?.dciDisentanglement },
        Score(key: "dci_completeness", title: "DCI completeness", digits: 3) { $0.disentanglement?.dciCompleteness },
        Score(key: "dci_informativeness", title: "DCI informativeness", digits: 3) { $0.disentanglement?.dciInformativeness },
        Score(key: "modularity", title: "modularity", digits: 3) { $0.disentanglement?.modularity },
        Score(key: "dci_es_explicitness", title: "DCI-ES explicitness", digits: 3) { $0.disentanglement?.extendedScores?["dci_es_explicitness"] },
        Score(key: "infom", title: "InfoM", digits: 3) { $0.disentanglement?.extendedScores?["infom"] },
        Score(key: "infoc", title: "InfoC", digits: 3) { $0.disentanglement?.extendedScores?["infoc"] },
        Score(key: "infoe", title: "InfoE", digits: 3) { $0.disentanglement?.extendedScores?["infoe"] },
        Score(key: "mig_sup", title: "MIG-sup", digits: 3) { $0.disentanglement?.extendedScores?["mig_sup"] },
        Score(key: "irs", title: "IRS", digits: 3) { $0.disentanglement?.extendedScores?["irs"] },
        Score(key: "knn", title: "5-NN accuracy", digits: 3) { $0.knnAccuracy },
        Score(key: "active_units", title: "active units", digits: 1) { Double($0.usage.activeUnits.count) },
    ]

    /// The scores every run has.
    static func present(_ runs: [RunData]) -> [Score] {
        scores.filter { score in runs.allSatisfy { score.value($0.evaluation)?.isFinite ?? false } }
    }

    static func color(_ group: SettingGroup, alpha: Double) -> Color {
        var color = group.color
        color.alpha = alpha
        return color
    }

    /// Test NELBO, reconstruction and KL per epoch: per setting the mean over its seeds (a line in
    /// the β's colour), the min–max band and each seed as a faint line.
    static func curves(_ runs: [RunData], groups: [SettingGroup]) -> FigureSpec {
        func panel(_ title: String, _ value: (MetricsRow) -> Double) -> Axes {
            var bands: [Mark] = [], seeds: [Mark] = [], means: [Mark] = []
            for group in groups {
                let tables = group.members.map { member in
                    Dictionary(runs[member].metrics.rows(split: "test").filter { $0.epoch > 0 }.map { ($0.epoch, value($0)) }) { a, _ in a }
                }
                let epochs = tables.dropFirst().reduce(Set(tables[0].keys)) { $0.intersection($1.keys) }.sorted()
                let x = epochs.map(Double.init)
                let columns = epochs.map { epoch in tables.compactMap { $0[epoch] } }
                if group.members.count > 1 {
                    bands.append(.area(AreaSeries(x: x, lower: columns.map { $0.min() ?? .nan }, upper: columns.map { $0.max() ?? .nan },
                                                  color: group.color, alpha: 0.15)))
                    for table in tables {
                        var faint = LineSeries(x: x, y: epochs.map { table[$0] ?? .nan }, color: color(group, alpha: 0.4))
                        faint.width = 0.8
                        seeds.append(.line(faint))
                    }
                }
                means.append(.line(LineSeries(x: x, y: columns.map { $0.reduce(0, +) / Double(max($0.count, 1)) }, label: group.label,
                                              color: group.color, markers: group.style == 2 || epochs.count <= 30, dashed: group.style > 0)))
            }
            return Axes(title: title, xLabel: "epoch", yLabel: "nats per image", marks: bands + seeds + means, xIntegerTicks: true)
        }
        let seeded = groups.contains { $0.members.count > 1 }
        return FigureSpec(name: "test-curves", title: "Test curves",
                          caption: "Test NELBO at β = 1, reconstruction and KL per epoch (from epoch 1; epoch 0 is the untrained model), one colour per β (darker is smaller)"
                            + (seeded ? "; the line is the mean over a setting's seeds, the shaded band their minimum to maximum, the faint lines each seed." : "."),
                          alt: "Three line charts of test NELBO, reconstruction and KL per epoch, one line per setting",
                          figure: Figure(width: 1000, height: 330, columns: 3, panels: [.axes(panel("test NELBO (β = 1)", \.nelbo)),
                                                                                     .axes(panel("reconstruction", \.recon)), .axes(panel("KL", \.kl))]),
                          vector: true)
    }

    /// Every run's final test KL against its reconstruction, coloured by setting, with iso-NELBO
    /// lines through each setting's mean NELBO.
    static func rateDistortion(_ runs: [RunData], groups: [SettingGroup]) -> FigureSpec {
        let rates = runs.map { $0.evaluation.test.kl }, distortions = runs.map { $0.evaluation.test.recon }
        let maxRate = (rates.max() ?? 1) * 1.15 + 1
        var lines: [Mark] = [], points: [Mark] = []
        for (index, group) in groups.enumerated() {
            let c = group.members.map { runs[$0].evaluation.test.nelbo }.reduce(0, +) / Double(group.members.count)
            let end = min(c, maxRate)
            lines.append(.line(LineSeries(x: [0, end], y: [c, c - end], label: index == 0 ? "iso-NELBO (recon + KL = const)" : "",
                                          color: Color(hex: 0xBBBBBB), dashed: true)))
            points.append(.scatter(ScatterSeries(x: group.members.map { rates[$0] }, y: group.members.map { distortions[$0] }, label: group.label,
                                                 color: group.color, alpha: 0.9, radius: group.style == 0 ? 4.5 : 3)))
        }
        let low = distortions.min() ?? 0, high = distortions.max() ?? 1, span = max(high - low, 1)
        return FigureSpec(name: "rate-distortion", title: "Rate–distortion plane",
                          caption: "Each run's final test KL (rate) against its reconstruction NLL (distortion), in nats, one dot per run in its β's colour; dashed lines have constant NELBO = recon + KL through each setting's mean (Alemi et al. 2018).",
                          alt: "Scatter plot of KL against reconstruction, one dot per run coloured by setting",
                          figure: Figure(width: 620, height: 420, .axes(Axes(xLabel: "KL (rate, nats)", yLabel: "reconstruction (distortion, nats)",
                                                                             xLimits: 0...maxRate, yLimits: (low - 0.15 * span)...(high + 0.15 * span),
                                                                             marks: lines + points, legendOutside: groups.count > 4))),
                          vector: true)
    }

    /// Every score the runs have against β: each run a dot in its β's colour, the mean over
    /// seeds a line through the settings that differ only in β. Nil when β does not vary.
    static func scoresAgainstBeta(_ runs: [RunData], groups: [SettingGroup]) -> FigureSpec? {
        let betas = Set(groups.map(\.weight)).sorted()
        let shown = present(runs)
        guard betas.count > 1, !shown.isEmpty else { return nil }
        let logScale = betas[0] > 0 && betas[betas.count - 1] / betas[0] >= 10
        let lineKeys = groups.reduce(into: [Int]()) { if !$0.contains($1.style) { $0.append($1.style) } }
        let panels: [Panel] = shown.enumerated().map { panel, score in
            var marks: [Mark] = []
            for style in lineKeys {
                let members = groups.filter { $0.style == style }.sorted { $0.weight < $1.weight }
                let means = members.map { group in group.members.compactMap { score.value(runs[$0].evaluation) }.reduce(0, +) / Double(group.members.count) }
                marks.append(.line(LineSeries(x: members.map(\.weight), y: means, color: .ink, dashed: style > 0)))
            }
            for group in groups {
                marks.append(.scatter(ScatterSeries(x: group.members.map { _ in group.weight },
                                                    y: group.members.map { score.value(runs[$0].evaluation) ?? .nan },
                                                    label: panel == 0 ? group.label : "", color: group.color, alpha: 0.85, radius: 3.5)))
            }
            // The first panel's legend names the settings' colours for all of them.
            return .axes(Axes(title: score.title, xLabel: "β", xScale: logScale ? .log : .linear, marks: marks, showLegend: panel == 0))
        }
        let columns = min(4, panels.count), rows = (panels.count + columns - 1) / columns
        let names = shown.map(\.title).joined(separator: ", ")
        return FigureSpec(name: "scores-against-beta", title: "Scores against β",
                          caption: "\(names) of each run's final checkpoint against β\(logScale ? " (log scale)" : ""): each run a dot in its β's colour, the black line the mean over a setting's seeds"
                            + (lineKeys.count > 1 ? " (dashed: the settings that differ in more than β)." : ".")
                            + " Locatello et al. (2019) found the seed moving these scores as much as β does: read the spread of the dots before the line.",
                          alt: "Small multiples of each score against β, one dot per run and a line through the means",
                          figure: Figure(width: 1000, height: 250 * Double(rows), columns: columns, panels: panels), vector: true)
    }
}
