import Analysis
import Engine
import Foundation
import Training

/// `betavae report RUN`: the figures of a run and its HTML page, from the run directory alone.
public enum RunReport {
    /// The figure names a report can hold.
    public static var figureNames: [String] { RunFigures.all }

    /// Writes `out/index.html`, `out/style.css` and `out/figures/*`; `only` regenerates just those
    /// figures (the page is always rewritten). Returns the page's path.
    @discardableResult
    /// `progress` follows the IWAE estimate when evaluation.json has to be computed.
    public static func write(run path: String, to out: String, only: Set<String>? = nil, iwaeSamples: Int = 1000,
                             templates: Templates, progress: (@Sendable (Int, Int) -> Void)? = nil,
                             traversal: TraversalOptions = TraversalOptions()) throws -> String {
        if let only {
            for name in only where !RunFigures.all.contains(name) { throw ReportError.unknownFigure(name, known: RunFigures.all) }
        }
        let data = try RunData.load(path, iwaeSamples: iwaeSamples, progress: progress)
        try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
        var figures: [WrittenFigure] = []
        for spec in try RunFigures.specs(data, traversal: traversal) {
            if only == nil || only?.contains(spec.name) == true {
                figures.append(try spec.write(into: out))
            } else {
                figures.append(spec.written)
            }
        }
        let html = try templates.render("report", context(data, figures: figures))
        try AtomicFile.write(html, to: out + "/index.html")
        try AtomicFile.write(templates.stylesheet(), to: out + "/style.css")
        try AtomicFile.write(PageSummary(kind: "run", title: data.config.name, detail: summary(data), sortKey: data.config.objective.reportedBeta,
                                         group: "\(data.config.dataset) \(data.config.model.architecture.rawValue)").encoded(),
                             to: out + "/summary.json")
        return out + "/index.html"
    }

    static func summary(_ data: RunData) -> String {
        "\(data.config.dataset), \(data.config.model.architecture.rawValue), Z = \(data.latent), \(data.objectiveSummary), \(data.evaluation.epoch) epochs"
    }

    static func context(_ data: RunData, figures: [WrittenFigure]) -> [String: Any] {
        let e = data.evaluation
        var metrics: [[String: String]] = [
            ["name": "test NELBO (β = 1)", "value": String(format: "%.2f nats", e.test.nelbo), "note": "reconstruction + KL, per image"],
            ["name": "IWAE NLL", "value": String(format: "%.2f ± %.2f nats", e.test.iwaeNLL, e.test.iwaeStandardError),
             "note": "K = \(e.test.samples) importance samples (Burda et al. 2016); gap to NELBO \(String(format: "%.2f", e.test.nelbo - e.test.iwaeNLL)) nats"],
            ["name": "reconstruction", "value": String(format: "%.2f nats", e.test.recon), "note": "\(data.config.model.likelihood.rawValue) NLL"],
            ["name": "KL", "value": String(format: "%.2f nats", e.test.kl), "note": "KL(q(z|x) ‖ N(0, I))"],
            ["name": "training objective", "value": String(format: "%.2f", e.objective), "note": data.objectiveSummary],
            ["name": "active units", "value": "\(e.usage.activeUnits.count) of \(data.latent)", "note": "Var over x of E[z_j|x] > 0.01"],
        ]
        if let knn = e.knnAccuracy, let chance = e.knnChance {
            metrics.append(["name": "5-NN label accuracy", "value": String(format: "%.3f", knn),
                            "note": String(format: "from training means to test labels; chance %.3f", chance)])
        }
        if let d = e.disentanglement {
            if let v = d.betaVAE { metrics.append(["name": "BetaVAE score", "value": String(format: "%.3f", v), "note": "Higgins et al. 2017"]) }
            if let v = d.factorVAE { metrics.append(["name": "FactorVAE score", "value": String(format: "%.3f", v), "note": "Kim & Mnih 2018"]) }
            if let v = d.mig { metrics.append(["name": "MIG", "value": String(format: "%.3f", v), "note": "Chen et al. 2018"]) }
            if let v = d.gaussianTotalCorrelation {
                metrics.append(["name": "Gaussian total correlation", "value": String(format: "%.3f nats", v), "note": "of the aggregate posterior"])
            }
        }
        return [
            "title": data.config.name,
            "summary": summary(data),
            "collapse": e.collapseWarning,
            "activeCount": e.usage.activeUnits.count,
            "metrics": metrics,
            "figures": figures.map(\.context),
            "config": ConfigTable.rows(data.config),
            "toolVersion": data.config.toolVersion,
        ]
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

    static func rows(_ config: RunConfig) -> [[String: String]] {
        flatten(config).map { ["key": $0.key, "value": $0.value] }
    }
}
