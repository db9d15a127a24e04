import Analysis
import Engine
import Foundation
import Plot

/// What each latent dimension does, for data with known factors: the factor it tracks (by
/// normalised mutual information), whether it is inactive, how it responds to each factor, and
/// the per-latent table of the dSprites reference implementations.
extension RunFigures {
    /// Test images whose means draw the latent-response curves.
    static let responseImages = 2_000

    /// Latents marked inactive: Var of the posterior mean < 0.01 over the test split (the active
    /// units' rule) or over the metrics' points.
    static func inactiveLatents(_ data: RunData) -> Set<Int> {
        Set(data.usage.inactiveUnits).union(data.evaluation.disentanglement?.inactiveLatents ?? [])
    }

    /// "posX (0.62)" (the factor latent `j` tracks most and its I(z_j; f) / H(f)), "inactive", or
    /// "" when the run has no factor scores or `j` tracks nothing.
    static func role(_ data: RunData, _ j: Int) -> String {
        let inactive = inactiveLatents(data)
        guard let d = data.evaluation.disentanglement, data.loaded.dataset.train.factors != nil else {
            return inactive.contains(j) ? "inactive" : ""
        }
        return d.role(j, inactive: inactive)
    }

    /// The traversal captions' sentence on the row labels' roles.
    static func roleNote(_ data: RunData) -> String {
        let factors = data.loaded.dataset.train.factors != nil && data.evaluation.disentanglement?.hasFactors == true
        return (factors ? " Each row names the factor its dimension captures most, by normalised mutual information I(z_j; f) / H(f) (in parentheses)." : "")
            + (inactiveLatents(data).isEmpty ? "" : " Rows marked inactive sweep a dimension whose posterior mean barely moves (variance < 0.01).")
    }

    /// For each active dimension (up to 8, by KL, coloured as in the KL figure), the mean of μ_j
    /// over the test images that share each value of a factor: one small panel per factor.
    static func latentResponse(_ data: RunData) -> FigureSpec? {
        let test = data.loaded.dataset.test
        guard let table = test.factors else { return nil }
        let factors = table.sizes.indices.filter { table.sizes[$0] > 1 }
        let inactive = inactiveLatents(data)
        let order = data.usage.dimensionsByKL
        let shown = Array(order.filter { !inactive.contains($0) }.prefix(8))
        guard !factors.isEmpty, !shown.isEmpty else { return nil }
        let count = min(test.count, responseImages)
        let means = data.testPosterior(limit: count).means
        let classes = (0..<count).flatMap { test.factorClasses($0) }
        let curves = LatentResponse.curves(means: means, classes: classes, sizes: table.sizes)
        let rankOf = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        let panels: [Panel] = factors.enumerated().map { index, f in
            let lines: [Mark] = shown.map { j in
                let points = curves[f][j].enumerated().compactMap { v, y in y.map { (Double(table.values[f][v]), $0) } }
                return .line(LineSeries(x: points.map(\.0), y: points.map(\.1), label: "z\(j)",
                                        color: (rankOf[j] ?? 8) < 8 ? Color.category(rankOf[j] ?? 0) : Color(hex: 0xBBBBBB)))
            }
            return .axes(Axes(title: table.names[f], xLabel: table.names[f], yLabel: index == 0 ? "mean of μ_j" : "", marks: lines,
                              showLegend: index == factors.count - 1, legendOutside: true))
        }
        let columns = min(factors.count, 3)
        let rows = (factors.count + columns - 1) / columns
        let caption = "For each active latent dimension (the \(shown.count) of largest test KL, coloured as in the KL figure), the mean of its posterior mean μ_j over the \(count) test images that share each value of a factor, one panel per factor. A dimension that captures a factor rises or falls along that factor's panel and stays flat in the others."
        return FigureSpec(name: "latent-response", title: "Latent response to each factor", caption: caption,
                          alt: "Small line charts, one per factor: the mean posterior mean of each active latent against the factor's value",
                          figure: Figure(width: 1000, height: Double(rows) * 250 + 20, columns: columns, panels: panels), vector: true)
    }

    /// The per-latent table: dimension, Var of μ_j over the test split, KL, the factor it tracks
    /// (with I(z_j; f) / H(f)), and whether it is active.
    static func latentRows(_ data: RunData) -> [[String: String]] {
        let usage = data.usage
        let inactive = inactiveLatents(data)
        return usage.dimensionsByKL.map { j in
            let role = role(data, j)
            return ["dimension": "z\(j)", "variance": String(format: "%.4f", usage.meanVariance[j]),
                    "kl": String(format: "%.3f", usage.klPerDimension[j]),
                    "tracks": role == "inactive" || role.isEmpty ? "–" : role, "state": inactive.contains(j) ? "inactive" : "active"]
        }
    }
}
