import Datasets
import Engine
import Foundation
import Training

/// `train --live-report`: the page of a run that is still training, rewritten after every epoch
/// from what the trainer has saved — the cheap figures (`RunFigures.live`), the latest test row and
/// the configuration — with a banner that says how far training is and a meta refresh that reloads
/// it. The final page, once training has finished, is the ordinary report (`RunReport`).
public enum LiveReport {
    /// How the run stands when its page is written.
    public enum Status: Sendable, Equatable {
        /// Still training: the page reloads itself.
        case training
        /// Stopped by Ctrl-C or a signal, with a checkpoint to resume from.
        case interrupted
        /// Stopped by an error (its one-line message).
        case failed(String)
    }

    /// Seconds between reloads of a live page.
    public static let refreshSeconds = 5

    /// Writes `out/index.html` (and style.css, figures.json, summary.json, the live figures) for
    /// the run at `path`, whose dataset the trainer already holds (`dataset`, so that it is not
    /// read again every epoch). Returns the page's path.
    @discardableResult
    public static func write(run path: String, dataset: Dataset?, to out: String, status: Status, templates: Templates,
                             indexed: Bool? = nil) throws -> String {
        let data = try RunData.live(LoadedRun.load(path, dataset: dataset))
        let specs = try RunFigures.specs(data, only: Set(RunFigures.live))
        try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
        let figures = try FigureSpec.write(specs, into: out)
        var page = context(data, figures: figures, status: status)
        page["indexLink"] = ReportIndex.linked(from: out, indexed: indexed)
        return try RunReport.writePage(templates.render("report", page), figures: figures,
                                       data: data, detail: headline(data, status: status), to: out, templates: templates)
    }

    static func headline(_ data: RunData, status: Status) -> String {
        let state: String
        switch status {
        case .training: state = "training, epoch \(data.loaded.epoch) of \(data.config.epochs) done"
        case .interrupted: state = "interrupted after epoch \(data.loaded.epoch) of \(data.config.epochs)"
        case .failed: state = "stopped by an error after epoch \(data.loaded.epoch) of \(data.config.epochs)"
        }
        return "\(data.config.dataset), \(data.config.model.architecture.rawValue), Z = \(data.latent), \(data.objectiveSummary), \(state)"
    }

    static func context(_ data: RunData, figures: [WrittenFigure], status: Status) -> [String: Any] {
        let epoch = data.loaded.epoch
        let time = DateFormatter.localizedString(from: Date(), dateStyle: .none, timeStyle: .medium)
        let snapshot = data.snapshots.last?.epoch ?? 0
        let shown = "Shown: the loss curves, the KL per dimension (active units judged from the test means of the latest snapshot, epoch \(snapshot)) and the reconstructions at the snapshot epochs."
        var page: [String: Any] = [
            "title": RunReport.title(data),
            "summary": headline(data, status: status),
            "metrics": metrics(data),
            "figures": figures.map(\.context),
            "config": ConfigTable.rows(data.config),
            "toolVersion": data.config.toolVersion,
        ]
        let resume = "betavae train --resume \(data.loaded.run.path) --live-report"
        switch status {
        case .training:
            page["live"] = ["refreshSeconds": refreshSeconds,
                            "message": "Training: epoch \(epoch) of \(data.config.epochs) saved at \(time). This page reloads itself every \(refreshSeconds) s while the run trains; the full report replaces it when training ends. \(shown)"]
        case .interrupted:
            page["stopped"] = ["message": "Training was interrupted after epoch \(epoch) of \(data.config.epochs) (saved at \(time)); continue it with '\(resume)'. \(shown)"]
        case .failed(let reason):
            page["stopped"] = ["message": "Training stopped after epoch \(epoch) of \(data.config.epochs): \(reason) \(shown)"]
        }
        return page
    }

    /// The latest test row of metrics.csv (the evaluation's IWAE bound and scores come with the full report).
    static func metrics(_ data: RunData) -> [[String: String]] {
        guard let row = data.metrics.rows(split: "test").last else { return [] }
        let note = "metrics.csv's test row of epoch \(row.epoch): the whole test split, one z sample per image"
        var rows = [
            ["name": "test NELBO (β = 1)", "value": String(format: "%.2f nats", row.nelbo), "note": note],
            ["name": "reconstruction", "value": String(format: "%.2f nats", row.recon), "note": "\(data.config.model.likelihood.rawValue) NLL"],
            ["name": "KL", "value": String(format: "%.2f nats", row.kl), "note": "KL(q(z|x) ‖ N(0, I))"],
        ]
        if let train = data.metrics.rows(split: "train").last {
            rows.append(["name": "training objective", "value": String(format: "%.2f", train.loss),
                         "note": "\(data.objectiveSummary), the mean over epoch \(train.epoch)'s steps"])
        }
        return rows
    }
}
