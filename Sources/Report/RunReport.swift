import Analysis
import Engine
import Foundation
import Training

/// `betavae report RUN`: the figures of a run and its HTML page, from the run directory alone.
public enum RunReport {
    /// The figure names a report can hold.
    public static var figureNames: [String] { RunFigures.all }

    /// Writes `out/index.html`, `out/style.css`, `out/figures.json` and `out/figures/*` for the run
    /// at `path` (its latest completed epoch); `only` regenerates just those figures into an existing
    /// report (the other figure files keep their bytes and dates); `style` sizes the figures for
    /// the page or for a paper's column. Returns the page's path.
    @discardableResult
    public static func write(run path: String, to out: String, only: Set<String>? = nil, policy: EvaluationPolicy,
                             templates: Templates, traversal: TraversalOptions = TraversalOptions(),
                             style: FigureStyle = .screen, indexed: Bool? = nil) throws -> String {
        let run = RunDirectory(path)
        guard run.exists else { throw TrainingError.runNotFound(path: run.path) }   // before the report folder is judged
        if let only { try checkFigures(only, in: out) }
        return try write(RunData.load(path, policy: policy), to: out, only: only, templates: templates, traversal: traversal, style: style,
                         indexed: indexed)
    }

    /// As `write(run:…)` for a run already loaded (a sweep loads each run once).
    @discardableResult
    public static func write(_ loaded: LoadedRun, to out: String, only: Set<String>? = nil, policy: EvaluationPolicy,
                             templates: Templates, traversal: TraversalOptions = TraversalOptions(),
                             style: FigureStyle = .screen, indexed: Bool? = nil) throws -> String {
        if let only { try checkFigures(only, in: out) }
        return try write(RunData.load(loaded, policy: policy), to: out, only: only, templates: templates, traversal: traversal, style: style,
                         indexed: indexed)
    }

    /// `--figures` needs known names and a report to put them into.
    static func checkFigures(_ only: Set<String>, in out: String) throws {
        for name in only.sorted() where !RunFigures.all.contains(name) { throw ReportError.unknownFigure(name, known: RunFigures.all) }
        guard try FigureManifest.read(out) != nil else { throw ReportError.notReported(out) }
    }

    static func write(_ data: RunData, to out: String, only: Set<String>?, templates: Templates, traversal: TraversalOptions,
                      style: FigureStyle, indexed: Bool? = nil) throws -> String {
        let specs = try RunFigures.specs(data, only: only, traversal: traversal)
        try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
        let fresh = try FigureSpec.write(specs, into: out, style: style)
        var figures = fresh
        if only != nil, let previous = try FigureManifest.read(out) {
            // The page keeps every figure it had, with the regenerated ones in their places.
            let byName = Dictionary(fresh.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            figures = previous.map { byName[$0.name] ?? $0 } + fresh.filter { f in !previous.contains { $0.name == f.name } }
        }
        var page = context(data, figures: figures)
        page["indexLink"] = ReportIndex.linked(from: out, indexed: indexed)
        page["explorer"] = try LatentExplorer.write(data, to: out, templates: templates)
        return try writePage(templates.render("report", page), figures: figures, data: data, detail: summary(data), to: out, templates: templates)
    }

    /// What every run page writes beside its figures — the page, the stylesheet, figures.json and
    /// its entry in the reports index (summary.json, `detail` under the title) — the full report's
    /// and the live one's alike. Returns the page's path.
    static func writePage(_ html: String, figures: [WrittenFigure], data: RunData, detail: String, to out: String,
                          templates: Templates) throws -> String {
        try AtomicFile.writeIfChanged(Array(html.utf8), to: out + "/index.html")
        try AtomicFile.writeIfChanged(Array(templates.stylesheet().utf8), to: out + "/style.css")
        try FigureManifest.write(figures, to: out)
        try AtomicFile.writeIfChanged(Array(PageSummary(kind: "run", title: title(data), detail: detail,
                                                        sortKey: data.config.objective.weight,
                                                        group: "\(data.config.dataset) \(data.config.model.architecture.rawValue)").encoded().utf8),
                                      to: out + "/summary.json")
        return out + "/index.html"
    }

    /// The run's name, and "(CVAE)" for a model conditioned on the label, which changes what
    /// every decode on the page means.
    static func title(_ data: RunData) -> String {
        data.config.model.conditionClasses > 0 ? "\(data.config.name) (CVAE)" : data.config.name
    }

    static func summary(_ data: RunData) -> String {
        let classes = data.config.model.conditionClasses
        let model = data.config.model.architecture.rawValue + (classes > 0 ? " CVAE (conditioned on the label, \(classes) classes)" : "")
        let epochs = data.config.importedFrom.map { "imported from \($0.source.rawValue) at epoch \(data.evaluation.epoch)" }
            ?? trainedLength(epochs: data.evaluation.epoch, steps: data.evaluation.key.step, countedInSteps: data.config.steps != nil)
        return "\(data.config.dataset), \(model), Z = \(data.latent), \(data.objectiveSummary), \(epochs)"
    }

    /// "300 steps (1 epoch)" for a run trained with `--steps`, else "1 epoch" / "20 epochs".
    static func trainedLength(epochs: Int, steps: Int, countedInSteps: Bool) -> String {
        let epochText = "\(epochs) epoch" + (epochs == 1 ? "" : "s")
        return countedInSteps ? "\(steps) step" + (steps == 1 ? "" : "s") + " (\(epochText))" : epochText
    }

    static func context(_ data: RunData, figures: [WrittenFigure]) -> [String: Any] {
        let e = data.evaluation
        var metrics: [[String: String]] = [
            ["name": "test NELBO (β = 1)", "value": String(format: "%.2f nats", e.test.nelbo),
             "note": "reconstruction + KL, per image, one z sample each (metrics.csv's test row of epoch \(e.epoch))"],
            ["name": "IWAE NLL", "value": String(format: "%.2f ± %.2f nats", e.test.iwaeNLL, e.test.iwaeStandardError),
             "note": "K = \(e.test.samples) importance samples over \(e.test.images) test images (Burda et al. 2016); ± is the standard error over images; "
                 + "\(String(format: "%.2f", e.test.iwaeGap)) nats below the NELBO of the same images"],
            ["name": "reconstruction", "value": String(format: "%.2f nats", e.test.recon), "note": "\(data.config.model.likelihood.rawValue) NLL"],
            ["name": "KL", "value": String(format: "%.2f nats", e.test.kl), "note": "KL(q(z|x) ‖ N(0, I))"],
            ["name": "training objective", "value": String(format: "%.2f", e.objective), "note": data.objectiveSummary],
        ] + data.config.objective.termNames.compactMap { name in
            e.objectiveTerms?[name].map { ["name": "  " + (ObjectiveTermFigures.termLabels[name] ?? name), "value": String(format: "%.3f", $0),
                                           "note": "the objective's own term on the test split (metrics.csv's \(name))"] }
        } + [
            ["name": "active units", "value": "\(e.usage.activeUnits.count) of \(data.latent)", "note": "Var over x of E[z_j|x] > 0.01"],
        ]
        if let knn = e.knnAccuracy, let chance = e.knnChance {
            metrics.append(["name": "5-NN label accuracy", "value": String(format: "%.3f", knn),
                            "note": String(format: "from training means to test labels; chance %.3f", chance)])
        }
        if let d = e.disentanglement {
            if let v = d.gaussianTotalCorrelation {
                metrics.append(["name": "Gaussian total correlation", "value": String(format: "%.3f nats", v), "note": "of the aggregate posterior"])
            }
        }
        return [
            "title": title(data),
            "summary": summary(data),
            "collapse": e.collapseWarning,
            "activeCount": e.usage.activeUnits.count,
            "metrics": metrics,
            "scores": e.disentanglement.map(ScoreTable.rows) ?? [],
            "latents": RunFigures.latentRows(data),
            "hasLatents": data.latent > 0,
            "hasFactors": data.loaded.dataset.train.factors != nil && e.disentanglement?.hasFactors == true,
            "hasScores": !(e.disentanglement.map(ScoreTable.rows) ?? []).isEmpty,
            "scoresNote": e.disentanglement.map(ScoreTable.note) ?? "",
            "figures": figures.map(\.context),
            "config": ConfigTable.rows(data.config),
            "toolVersion": data.config.toolVersion,
        ].merging(ImportNote.rows(data).map { ["imported": $0] } ?? [:]) { a, _ in a }
    }
}

/// A page's entry in the reports index (reports/NAME/summary.json).
struct PageSummary: Codable {
    var kind: String
    var title: String
    var detail: String
    var sortKey: Double
    /// Pages of the same group (dataset and model) are listed together.
    var group: String? = nil

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }
}

/// The run's configuration as flat key/value rows (nested keys joined with dots).
enum ConfigTable {
    static func flatten(_ config: RunConfig) -> [(key: String, value: String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(config), let object = try? JSONSerialization.jsonObject(with: data) else { return [] }
        var rows: [(String, String)] = []
        func walk(_ value: Any, _ key: String) {
            if let dictionary = value as? [String: Any] {
                for (k, item) in dictionary.sorted(by: { $0.key < $1.key }) { walk(item, key.isEmpty ? k : key + "." + k) }
            } else if let array = value as? [Any] {
                rows.append((key, array.map { "\($0)" }.joined(separator: ", ")))
            } else if value is NSNull {
                rows.append((key, "–"))
            } else {
                rows.append((key, "\(value)"))
            }
        }
        walk(object, "")
        return rows
    }

    /// The rows a reader of this run needs: settings that do nothing for its model or data are left
    /// out (hidden sizes of a convolutional model, --channels of grey MNIST-format data, the data
    /// folder of a dataset that does not read one).
    static func rows(_ config: RunConfig) -> [[String: String]] {
        flatten(config).filter { applies($0.key, to: config) }.map { ["key": $0.key, "value": $0.value] }
    }

    static func applies(_ key: String, to config: RunConfig) -> Bool {
        switch key {
        case "model.hidden": return config.model.architecture == .mlp
        case "channels": return config.dataset.hasPrefix("images:")
        case "dataDirectory": return config.dataDirectory != nil
        case "background": return config.background != nil
        case "clipNorm": return config.clipNorm != nil
        case _ where key.hasPrefix("importedFrom"): return false   // the page's "Imported weights" section shows it
        // An imported run was not optimised here: betavae's defaults for these would read as its settings.
        case "batchSize", "learningRate", "snapshotEvery", "keepCheckpoints", _ where key.hasPrefix("learningRateSchedule"):
            return config.importedFrom == nil
        default: return true
        }
    }
}
