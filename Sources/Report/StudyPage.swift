import Analysis
import Engine
import Foundation
import Models
import Plot
import Training

/// The study page, `DIR/index.html`: how many runs are in, each score's distribution per method
/// and value, the rank correlations, the seed's share of the spread, unsupervised model selection
/// and the table of medians and quartiles (also `DIR/medians.csv`, with every run's scores in
/// `DIR/runs.csv`). Written from whatever runs are in, so it grows as they finish.
public enum StudyPage {
    /// Writes the page for the study in `folder` from the runs that are in; returns its path.
    public static func write(folder: String, states: [RunState]? = nil, templates: Templates) throws -> String {
        let (study, sweep) = try StudyPlan.read(folder: folder)
        let results = try StudyResults.load(study: study, sweep: sweep, states: states ?? sweep.localStates())
        return try write(results, templates: templates)
    }

    public static func write(_ results: StudyResults, templates: Templates) throws -> String {
        let out = results.sweep.folder
        let keys = results.scoreKeys
        var figures: [WrittenFigure] = []
        try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
        if !results.records.isEmpty {
            var specs = (keys + ["reconstruction"]).enumerated().map { StudyFigures.distribution(results, key: $0.element, index: $0.offset) }
            if results.records.count >= 3 { specs.append(StudyFigures.rankCorrelations(results, keys: keys)) }
            specs.append(StudyFigures.seedShares(results, keys: keys))
            figures += try FigureSpec.write(specs, into: out)
        }
        let medians = StudyTables.medianRows(results, keys: keys)
        try AtomicFile.writeIfChanged(Array(StudyTables.mediansCSV(medians, keys: keys).utf8), to: out + "/medians.csv")
        try AtomicFile.writeIfChanged(Array(StudyTables.runsCSV(results, keys: keys).utf8), to: out + "/runs.csv")
        // The selection table compares picks on the paper's scores: all eighteen would not fit a page's width.
        let selection = try StudyTables.selection(results, keys: keys.filter(CodeScores.disentanglementLibKeys.contains))
        let study = results.study
        let methods: [String] = study.methods.map { method in
            let preset = StudyPreset.method(method.name)
            let values: [String] = method.values.map { compactNumber($0) }
            return "\(preset?.title ?? method.name) (\(preset?.parameter ?? "value") " + values.joined(separator: ", ") + ")"
        }
        let seeds: String = study.seeds.map { String($0) }.joined(separator: ", ")
        let summary: String = (study.preset.map { "Preset \($0) (Locatello et al. 2019): " } ?? "") + study.datasets.joined(separator: ", ") + "; "
            + methods.joined(separator: "; ") + "; seeds " + seeds + "; \(study.steps) steps each. Scores on the posterior means, from each run's evaluation.json, with "
            + study.evaluation.scoreProtocol.summary + "."
        // One table per dataset: a row per score, a column per method (six methods fit a page's width).
        let medianTables: [[String: Any]] = results.datasets.map { dataset in
            let rows = medians.filter { $0.dataset == dataset }
            let columns: [[String: String]] = rows.map { ["method": $0.title, "swatch": $0.swatch, "count": "\($0.count)"] }
            let scoreRows: [[String: Any]] = (keys + ["reconstruction"]).enumerated().map { k, key in
                let cells: [[String: String]] = rows.map { row in
                    ["text": row.cells[k].map { String(format: "%.3f [%.3f, %.3f]", $0.median, $0.lower, $0.upper) } ?? "–"]
                }
                return ["score": StudyResults.title(key), "cells": cells]
            }
            return ["dataset": dataset, "columns": columns, "rows": scoreRows]
        }
        let selectionHeader: [[String: String]] = (["dataset", "method", "pick"] + keys.map(StudyResults.title)).map { ["text": $0] }
        let context: [String: Any] = [
            "title": "Study " + results.sweep.name,
            "progress": "\(results.records.count) of \(results.total) runs in",
            "partial": results.records.count < results.total,
            "summary": summary,
            "figures": figures.map(\.context),
            "hasRuns": !results.records.isEmpty,
            "medianTables": medianTables,
            "selectionHeader": selectionHeader,
            "selectionRows": selection.rows,
            "selectionNote": selection.note,
            "hasMissing": !results.missing.isEmpty,
            "missing": results.missing.map { ["name": $0.name, "reason": $0.reason] },
        ]
        try AtomicFile.writeIfChanged(Array(templates.render("study", context).utf8), to: out + "/index.html")
        try AtomicFile.writeIfChanged(Array(templates.stylesheet().utf8), to: out + "/style.css")
        return out + "/index.html"
    }
}

/// The study page's tables and their CSV exports.
enum StudyTables {
    struct MedianRow {
        var dataset: String
        var method: String
        var title: String
        var swatch: String
        var count: Int
        /// Per key (the scores, then reconstruction): the quartiles over the method's runs, nil without any.
        var cells: [(lower: Double, median: Double, upper: Double)?]
    }

    /// "#e69f00" for a plot colour.
    static func hex(_ color: Color) -> String {
        String(format: "#%02x%02x%02x", Int((color.red * 255).rounded()), Int((color.green * 255).rounded()), Int((color.blue * 255).rounded()))
    }

    /// Per dataset and method, each score's median and quartiles over all its runs (every value and seed).
    static func medianRows(_ results: StudyResults, keys: [String]) -> [MedianRow] {
        results.datasets.flatMap { dataset in
            results.study.methods.enumerated().compactMap { m, method -> MedianRow? in
                let records = results.records.filter { $0.member.dataset == dataset && $0.member.method == method.name }
                guard !records.isEmpty else { return nil }
                let cells = (keys + ["reconstruction"]).map { key -> (lower: Double, median: Double, upper: Double)? in
                    let values = records.compactMap { StudyResults.value($0, key) }
                    return values.isEmpty ? nil : StudyStatistics.quartiles(values)
                }
                return MedianRow(dataset: dataset, method: method.name, title: StudyPreset.method(method.name)?.title ?? method.name,
                                 swatch: hex(StudyFigures.color(m)), count: records.count, cells: cells)
            }
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.6g", value) }

    /// medians.csv: dataset,method,score,runs,median,q1,q3 — one row per method and score.
    static func mediansCSV(_ rows: [MedianRow], keys: [String]) -> String {
        var lines = ["dataset,method,score,runs,median,q1,q3"]
        for row in rows {
            for (key, cell) in zip(keys + ["reconstruction"], row.cells) {
                guard let cell else { continue }
                lines.append([row.dataset, row.method, key, "\(row.count)", number(cell.median), number(cell.lower), number(cell.upper)].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// runs.csv: one row per run that is in, every score (empty where a run lacks it).
    static func runsCSV(_ results: StudyResults, keys: [String]) -> String {
        var lines = [(["run", "dataset", "method", "value", "seed"] + keys + ["reconstruction"]).joined(separator: ",")]
        for record in results.records {
            let m = record.member
            lines.append(([m.name, m.dataset, m.method, compactNumber(m.value), "\(m.seed)"]
                          + (keys + ["reconstruction"]).map { StudyResults.value(record, $0).map(number) ?? "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Unsupervised model selection: per dataset and method, the run the selection score picks
    /// (`ModelSelection.unsupervised`, UDR: the run with the highest UDR_i, each run compared with
    /// the other seeds of its own setting), the best run by each score (supervised: the ceiling a
    /// selection could reach) and the median run (what a random pick gives on average). Where the
    /// score picks nothing the row says why: one seed per setting, no setting with two seeds in
    /// yet, or every run scored alike.
    static func selection(_ results: StudyResults, keys: [String]) throws -> (rows: [[String: Any]], note: String) {
        let selector = ModelSelection.unsupervised
        var rows: [[String: Any]] = []
        for dataset in results.datasets {
            for (m, method) in results.study.methods.enumerated() {
                let records = results.records.filter { $0.member.dataset == dataset && $0.member.method == method.name }
                guard !records.isEmpty else { continue }
                let title = StudyPreset.method(method.name)?.title ?? method.name
                // A row: the pick's short name, an optional second line under it, and either one cell
                // per score or (no pick) the reason across the score columns.
                // (A section of swift-mustache renders for any string, "" too: the keys are left out instead.)
                func row(_ pick: String, _ cells: [String], kind: String, detail: String = "", reason: String = "") -> [String: Any] {
                    var row: [String: Any] = ["dataset": dataset, "method": title, "swatch": hex(StudyFigures.color(m)), "pick": pick, "kind": kind,
                                              "span": "\(keys.count)", "cells": cells.map { ["text": $0] }]
                    if !detail.isEmpty { row["detail"] = detail }
                    if !reason.isEmpty { row["reason"] = reason }
                    return row
                }
                func noPick(_ reason: String) -> [String: Any] { row("\(selector?.name ?? ""): no pick", [], kind: "nopick", reason: reason) }
                if let selector {
                    let parameter = StudyPreset.method(method.name)?.parameter ?? "value"
                    let seedsPerValue = Dictionary(grouping: records, by: { $0.member.value }).values.map(\.count).max() ?? 0
                    if seedsPerValue < 2 {
                        let why = results.study.seeds.count < 2
                            ? "one seed per \(parameter) (seed \(results.study.seeds.map(String.init).joined())): \(selector.name) compares a run with the other seeds of its setting, so it needs two or more (--seeds 0,1,…)"
                            : "no \(parameter) has two seeds in yet: \(selector.name) compares a run with the other seeds of its setting"
                        rows.append(noPick(why))
                    } else {
                        let scores = try selector.scores(runs: records.map(\.path))
                        switch SelectionPick(scores: scores) {
                        case .run(let chosen, let ties):
                            let record = records[chosen]
                            let tie = ties.isEmpty ? "" : ", tied with " + ties.map {
                                "seed \(records[$0].member.seed)" + (records[$0].member.value == record.member.value ? "" : " of \(parameter) \(compactNumber(records[$0].member.value))")
                            }.joined(separator: ", ")
                            rows.append(row("\(selector.name) pick: \(label(record))",
                                            keys.map { key in StudyResults.value(record, key).map { String(format: "%.3f", $0) } ?? "–" }, kind: "pick",
                                            detail: "\(selector.name) \(String(format: "%.3f", scores[chosen]!))\(tie)"))
                        case .tied(let score, let count):
                            let why = score == 0 ? " (no latent with mean KL above \(UDRScore.klThreshold) nats)"
                                : seedsPerValue == 2 ? " (with two seeds both runs of a setting get their one pair's score)" : ""
                            rows.append(noPick("all \(count) runs it scored have \(selector.name) \(String(format: "%.3f", score))\(why)"))
                        case .unscored:
                            rows.append(noPick("it scored none of the runs (their codes could not be computed)"))
                        }
                    }
                }
                rows.append(row("best by each score", keys.map { key in
                    let values = records.compactMap { StudyResults.value($0, key) }
                    return values.max().map { String(format: "%.3f", $0) } ?? "–"
                }, kind: "best"))
                rows.append(row("median", keys.map { key in
                    let values = records.compactMap { StudyResults.value($0, key) }
                    return values.isEmpty ? "–" : String(format: "%.3f", StudyStatistics.quartiles(values).median)
                }, kind: "median"))
            }
        }
        let note = selector == nil
            ? "This build has no unsupervised selection score wired in (ModelSelection.unsupervised), so each method shows the best run by each score — the most a selection could get — and the median run, what an uninformed pick gets in the middle."
            : "Per method, the run UDR picks without the factors (Duan et al. 2020, UDR_S as in disentanglement_lib) against the best value of each score over the method's runs — the most a selection could get — and the median, what an uninformed pick gets in the middle. "
                + "Each run is compared with the other seeds of its own setting (same method and value) on the same images for every seed — the first \(UDRCodes.imageCount) or fewer test images of the seed-\(UDRCodes.inputSeed) split: "
                + "R_ab = |Spearman ρ| between latent a of one run and latent b of the other (latents with mean KL ≤ \(UDRScore.klThreshold) nats left out), "
                + "UDR_ij = ½ [mean over b of max_a R_ab² / Σ_a R_ab + mean over a of max_b R_ab² / Σ_b R_ab], a run's UDR the median over its setting's other seeds; "
                + "the pick is the method's run with the highest UDR, over every value and seed."
                + (results.study.seeds.count == 2 ? " With two seeds both runs of a setting get their one pair's score, so UDR chooses the value; the seed shown is the first of the two." : "")
        return (rows, note)
    }

    static func label(_ record: StudyResults.Record) -> String {
        let m = record.member
        return (StudyPreset.method(m.method)?.parameter ?? "value") + " \(compactNumber(m.value)), seed \(m.seed)"
    }
}
