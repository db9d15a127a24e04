import Analysis
import Engine
import Foundation
import Plot
import Training

/// `betavae compare RUN...`: runs side by side, ordered by β (or by the config key that differs).
public enum Comparison {
    /// Writes `out/index.html` and its figures (sized by `style`); returns the page's path.
    @discardableResult
    public static func write(runs paths: [String], to out: String, baseline: String? = nil, policy: EvaluationPolicy,
                             templates: Templates, style: FigureStyle = .screen, indexed: Bool? = nil) throws -> String {
        guard paths.count >= 2 else { throw ReportError.incompatibleRuns("compare needs at least two runs") }
        return try write(paths.map { try RunData.load($0, policy: policy) }, to: out, baseline: baseline, templates: templates, style: style,
                         indexed: indexed)
    }

    /// As `write(runs:…)` for runs already loaded (a sweep loads each run once).
    /// `failures` (a sweep's runs that did not finish, with why) are listed on the page.
    @discardableResult
    public static func write(loaded: [LoadedRun], to out: String, baseline: String? = nil, failures: [SweepFailure] = [],
                             policy: EvaluationPolicy, templates: Templates, indexed: Bool? = nil) throws -> String {
        guard loaded.count >= 2 else { throw ReportError.incompatibleRuns("compare needs at least two runs") }
        return try write(loaded.map { try RunData.load($0, policy: policy) }, to: out, baseline: baseline, failures: failures,
                         templates: templates, indexed: indexed)
    }

    static func write(_ loadedRuns: [RunData], to out: String, baseline: String?, failures: [SweepFailure] = [],
                      templates: Templates, style: FigureStyle = .screen, indexed: Bool? = nil) throws -> String {
        var runs = loadedRuns
        let first = runs[0].config
        for run in runs.dropFirst() {
            guard run.config.dataset == first.dataset, run.config.model.imageShape == first.model.imageShape else {
                throw ReportError.incompatibleRuns(
                    "cannot compare \(run.loaded.run.path) (\(run.config.dataset), \(run.config.model.imageShape)) with \(runs[0].loaded.run.path) (\(first.dataset), \(first.model.imageShape)): runs must share a dataset and image size")
            }
        }
        let differing = differingKeys(runs)
        let byObjective = ObjectiveOrder.mixed(runs.map(\.config.objective))
        let byBeta = byObjective || Set(runs.map { $0.config.objective.weight }).count > 1
        runs.sort { a, b in
            if byObjective, let first = ObjectiveOrder.before(a.config.objective, b.config.objective) { return first }
            if byBeta, a.config.objective.weight != b.config.objective.weight {
                return a.config.objective.weight < b.config.objective.weight
            }
            let key = differing.first { $0 != "name" } ?? "name"
            let (x, y) = (value(a.config, key), value(b.config, key))
            return x != y ? (Double(x).flatMap { xv in Double(y).map { xv < $0 } } ?? (x < y)) : a.config.name < b.config.name
        }
        let labels = runs.map { label($0, byBeta: byBeta, differing: differing) }
        let groups = SettingGroups.groups(runs, differing: differing)
        let base = baseline.flatMap { b in runs.firstIndex { $0.loaded.run.path == RunDirectory(b).path || $0.config.name == RunDirectory(b).name } } ?? 0
        try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
        var figures: [WrittenFigure] = []
        let specs = [SeedFigures.curves(runs, groups: groups), SeedFigures.rateDistortion(runs, groups: groups)]
            // Weights of different objectives (β, γ, λ_od) share no axis: their scores stay in the table.
            + [byObjective ? nil : SeedFigures.scoresAgainstBeta(runs, groups: groups)].compactMap { $0 } + [ComparisonFigures.klHeatmap(runs, labels: labels)]
        figures += try FigureSpec.write(specs, into: out, style: style)
        let rows = try FigureSpec.write(try runs.indices.map { try ComparisonFigures.runRow(runs[$0], label: labels[$0], index: $0) }, into: out, style: style)
        let udr = ComparisonUDR.scores(runs, groups: groups)
        let hasUDR = udr.contains { $0 != nil }
        var settingsHeader = ComparisonTables.settingsHeader(runs, scores: false)
        var settingsRows = ComparisonTables.settingsRows(runs, groups: groups, scores: false)
        var metricsHeader = ["run", "", "test NELBO", "Δ", "IWAE NLL", "Δ", "recon", "Δ", "KL", "Δ", "active", "5-NN"].map { ["text": $0] }
        var metricsRows = runs.indices.map { metricsRow(runs[$0], label: labels[$0], baseline: runs[base], isBaseline: $0 == base) }
        if hasUDR {
            settingsHeader.append(["text": "UDR"])
            for (index, group) in groups.enumerated() where index < settingsRows.count {
                var cells = settingsRows[index]["cells"] as? [[String: String]] ?? []
                cells.append(["text": SettingGroups.meanSD(group.members.compactMap { udr[$0] }, digits: 3)])
                settingsRows[index]["cells"] = cells
            }
            metricsHeader.append(["text": "UDR"])
            for index in metricsRows.indices {
                var cells = metricsRows[index]["cells"] as? [[String: String]] ?? []
                cells.append(["text": udr[index].map { String(format: "%.3f", $0) } ?? "–", "class": "number"])
                metricsRows[index]["cells"] = cells
            }
        }
        var context: [String: Any] = [
            "title": "Comparison of \(runs.count) runs",
            "summary": "\(first.dataset), \(first.model.architecture.rawValue), ordered by \(byObjective ? "objective, then its weight" : byBeta ? "β" : (differing.first ?? "name")); baseline \(labels[base]) (\(runs[base].config.name))",
            "figures": figures.map(\.context),
            "settingsHeader": settingsHeader,
            "settingsRows": settingsRows,
            "udrNote": hasUDR ? ComparisonUDR.note : "",
            "scoresHeader": ComparisonTables.settingsHeader(runs, scores: true),
            "scoresRows": ComparisonTables.settingsRows(runs, groups: groups, scores: true),
            "hasScores": !ComparisonTables.columns(runs, scores: true).isEmpty,
            "noiseRows": ComparisonTables.evaluationNoiseRow(runs).map { [$0] } ?? [],
            "scoreEstimators": ComparisonTables.estimatorLines(runs),
            "seeded": groups.contains { $0.members.count > 1 },
            "metricsHeader": metricsHeader,
            "metricsRows": metricsRows,
            "differing": differing.map { key in ["key": key, "values": runs.map { ["value": value($0.config, key)] }] },
            "runLabels": labels.map { ["label": $0] },
            "rows": rows.map(\.context),
            "imported": runs.indices.compactMap { index in
                runs[index].config.importedFrom.map { source in
                    ["label": labels[index], "name": runs[index].config.name,
                     "note": "imported from \(source.sourceModel) at epoch \(runs[index].loaded.epoch) ("
                        + (source.hasTrainingLog ? "its train curves are the other repository's log" : "no training log: a single point on the curves") + ")"]
                }
            },
            "hasFailures": !failures.isEmpty,
            "failures": failures.map { ["name": $0.name, "reason": $0.reason] },
        ]
        context["indexLink"] = ReportIndex.linked(from: out, indexed: indexed)
        try AtomicFile.writeIfChanged(Array(templates.render("compare", context).utf8), to: out + "/index.html")
        try AtomicFile.writeIfChanged(Array(templates.stylesheet().utf8), to: out + "/style.css")
        try AtomicFile.write(PageSummary(kind: "comparison", title: URL(fileURLWithPath: out).lastPathComponent,
                                         detail: "\(runs.count) runs: " + labels.joined(separator: ", "), sortKey: 0).encoded(),
                             to: out + "/summary.json")
        return out + "/index.html"
    }

    /// Config keys whose values differ between runs (besides bookkeeping like the name and counts).
    static func differingKeys(_ runs: [RunData]) -> [String] {
        let tables = runs.map { Dictionary(ConfigTable.flatten($0.config).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        // Where imported weights came from is provenance, not a setting: the page lists it apart.
        let keys = Set(tables.flatMap(\.keys)).subtracting(["name", "toolVersion"]).filter { !$0.hasPrefix("importedFrom") }.sorted()
        return keys.filter { key in Set(tables.map { $0[key] ?? "–" }).count > 1 }
    }

    static func value(_ config: RunConfig, _ key: String) -> String {
        ConfigTable.flatten(config).first { $0.key == key }?.value ?? "–"
    }

    static func label(_ run: RunData, byBeta: Bool, differing: [String]) -> String {
        if byBeta {
            // Runs that share β but not the seed (a sweep over --seeds) say their seed too.
            let seed = differing.contains("seed") ? ", seed \(run.config.seed)" : ""
            return weightLabel(run.config) + seed
        }
        if let key = differing.first(where: { $0 != "name" && !$0.hasPrefix("objective") }) { return "\(key) = \(value(run.config, key))" }
        return run.config.name
    }

    /// The objective's weight as a label: "β = 4", "capacity, γ = 1000".
    /// "β = 4", "capacity, γ = 1000", "β-TCVAE β = 6", "FactorVAE γ = 40", "DIP-VAE-II λ_od = 10" (`Objective.label`).
    static func weightLabel(_ config: RunConfig) -> String { config.objective.label }

    static func metricsRow(_ run: RunData, label: String, baseline: RunData, isBaseline: Bool) -> [String: Any] {
        let e = run.evaluation, b = baseline.evaluation
        func delta(_ value: Double, _ reference: Double, lowerIsBetter: Bool = true) -> [String: String] {
            guard !isBaseline else { return ["text": "baseline", "class": ""] }
            let d = value - reference
            let better = lowerIsBetter ? d < 0 : d > 0
            return ["text": String(format: "%+.2f", d).replacingOccurrences(of: "-", with: "−"), "class": abs(d) < 0.005 ? "" : (better ? "better" : "worse")]
        }
        let cells: [[String: String]] = [
            ["text": String(format: "%.2f", e.test.nelbo), "class": "number"], delta(e.test.nelbo, b.test.nelbo),
            ["text": String(format: "%.2f", e.test.iwaeNLL), "class": "number"], delta(e.test.iwaeNLL, b.test.iwaeNLL),
            ["text": String(format: "%.2f", e.test.recon), "class": "number"], delta(e.test.recon, b.test.recon),
            ["text": String(format: "%.2f", e.test.kl), "class": "number"], delta(e.test.kl, b.test.kl, lowerIsBetter: false),
            ["text": "\(e.usage.activeUnits.count)/\(run.latent)", "class": "number"],
            ["text": e.knnAccuracy.map { String(format: "%.3f", $0) } ?? "–", "class": "number"],
        ]
        return ["label": label, "name": run.config.name, "href": "../\(run.config.name)/index.html", "cells": cells]
    }
}

/// A run of a sweep that did not finish, and why (one line), for the comparison page.
public struct SweepFailure: Equatable, Sendable {
    public var name: String
    public var reason: String
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}
