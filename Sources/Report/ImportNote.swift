import Training

/// What a page says about a run made by `betavae import`: where its weights came from and which
/// figures it leaves out for want of a training history, and why.
enum ImportNote {
    /// The page's "Imported weights" section, or nil for a run trained here.
    static func rows(_ data: RunData) -> [String: Any]? {
        guard let source = data.config.importedFrom else { return nil }
        var rows: [[String: String]] = [
            ["key": "trained with", "value": source.sourceModel],
            ["key": "weights", "value": source.file],
            ["key": "SHA-256", "value": source.sha256],
            ["key": "tensors", "value": "\(source.mapping.count) mapped onto \(data.config.model.architecture.rawValue)'s parameters"
                + (source.mapping.contains { $0.rows != .same } ? " (the posterior layer's interleaved μ, log σ² rows reordered)" : "")
                + (source.skipped > 0 ? "; \(source.skipped) optimiser tensors skipped" : "")],
        ]
        if let log = source.metricsFile {
            rows.append(["key": "training log", "value": "\(log) (\(source.metricsFormat ?? "") format, SHA-256 \(source.metricsSHA256 ?? ""))"])
        }
        let epoch = source.epoch ?? data.loaded.epoch
        let history = data.loaded.epoch > epoch
            ? "The weights were imported as epoch \(epoch) and trained here since (train --resume), to epoch \(data.loaded.epoch); "
                + (source.hasTrainingLog ? "the curves up to epoch \(epoch) are the other repository's log." : "the curves start at epoch \(epoch).")
            : source.hasTrainingLog
            ? "The loss curves show the other repository's training log (train rows: the mean over each epoch's batches, as it logged them, "
                + "with no timings); the test row is betavae's own evaluation of the imported weights at epoch \(epoch). "
                + "There are no reconstructions over epochs: only the final weights were imported."
            : "This run has no training history: only the final weights were imported, as epoch \(epoch), so the page leaves out the loss "
                + "curves and the reconstructions over epochs. Attach the other repository's training log with "
                + "'betavae import … --metrics FILE' for loss curves."
        return ["rows": rows, "history": history]
    }
}
