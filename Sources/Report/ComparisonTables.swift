import Analysis
import Foundation
import Plot

/// The comparison's table of settings: per setting its seed count and every number as the mean ±
/// sample standard deviation over its seeds.
enum ComparisonTables {
    typealias Column = (title: String, digits: Int, value: (EvaluationResult) -> Double?)

    /// The likelihood columns every run has (the first table), or each score all runs have
    /// (`SeedFigures.present`; the second table, so that neither is wider than the page).
    static func columns(_ runs: [RunData], scores: Bool) -> [Column] {
        guard scores else {
            return [("test NELBO", 2, { $0.test.nelbo }), ("IWAE NLL", 2, { $0.test.iwaeNLL }), ("recon", 2, { $0.test.recon }), ("KL", 2, { $0.test.kl })]
                + SeedFigures.present(runs).filter { $0.key == "knn" || $0.key == "active_units" }.map { ($0.title, $0.digits, $0.value) }
        }
        return SeedFigures.present(runs).filter { $0.key != "knn" && $0.key != "active_units" }.map { ($0.title, $0.digits, $0.value) }
    }

    static func settingsHeader(_ runs: [RunData], scores: Bool) -> [[String: String]] {
        (["setting", "runs"] + columns(runs, scores: scores).map(\.title)).map { ["text": $0] }
    }

    static func settingsRows(_ runs: [RunData], groups: [SettingGroup], scores: Bool) -> [[String: Any]] {
        let columns = columns(runs, scores: scores)
        guard !columns.isEmpty else { return [] }
        return groups.map { group in
            let cells = columns.map { column in
                ["text": SettingGroups.meanSD(group.members.compactMap { column.value(runs[$0].evaluation) }, digits: column.digits)]
            }
            return ["label": group.label, "count": "\(group.members.count)", "swatch": hex(group.color), "dashed": group.style > 0,
                    "cells": cells] as [String: Any]
        }
    }

    /// The scores table's last row: each score's standard deviation over a run's evaluation seeds,
    /// averaged over the runs — the noise of the estimate itself, to weigh against the spread over
    /// training seeds above it (Locatello et al. 2019). Nil when no run recorded it.
    static func evaluationNoiseRow(_ runs: [RunData]) -> [String: Any]? {
        let scores = SeedFigures.present(runs).filter { $0.key != "knn" && $0.key != "active_units" }
        let details = runs.compactMap { $0.evaluation.disentanglement?.details }
        guard !scores.isEmpty, !details.isEmpty, let repeats = details.map(\.repeats).max() else { return nil }
        let cells = scores.map { score -> [String: String] in
            let spreads = details.compactMap { $0.spread[score.key] }
            guard !spreads.isEmpty else { return ["text": "–"] }
            return ["text": "± " + String(format: "%.\(score.digits)f", spreads.reduce(0, +) / Double(spreads.count))]
        }
        return ["label": "evaluation seeds (sd within a run, mean over runs)", "count": "\(repeats)", "cells": cells]
    }

    /// One line per score of the scores table: which estimator the numbers come from, with its
    /// sample sizes (each run's evaluation.json `details.settings`); when the runs were scored
    /// differently, each distinct way with the number of runs that used it.
    static func estimatorLines(_ runs: [RunData]) -> [[String: String]] {
        let scores = SeedFigures.present(runs).filter { $0.key != "knn" && $0.key != "active_units" }
        return scores.compactMap { score -> [String: String]? in
            let ways = runs.compactMap { $0.evaluation.disentanglement?.details?.settings[score.key] }
            guard !ways.isEmpty else { return nil }
            var counts: [String: Int] = [:]
            for way in ways { counts[way, default: 0] += 1 }
            let text = counts.count == 1 ? ways[0] : counts.sorted { $0.key < $1.key }.map { "\($0.value) runs: \($0.key)" }.joined(separator: " | ")
            let unrecorded = runs.count - ways.count
            return ["name": ScoreTable.titles[score.key] ?? score.title,
                    "text": text + (unrecorded > 0 ? " (\(unrecorded) runs evaluated before estimators were recorded)" : "")]
        }
    }

    /// `#rrggbb` for the page's colour swatches.
    static func hex(_ color: Color) -> String {
        String(format: "#%02x%02x%02x", Int((color.red * 255).rounded()), Int((color.green * 255).rounded()), Int((color.blue * 255).rounded()))
    }
}
