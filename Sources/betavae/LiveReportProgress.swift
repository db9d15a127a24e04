import Datasets
import Foundation
import Report
import Training

/// `train --live-report`: passes progress on to the terminal's reporter and rewrites the run's live
/// page after every saved epoch; once training ends, writes the full report (finished) or the live
/// page saying why it stopped (interrupted, failed).
final class LiveReportProgress: ProgressReporter {
    let inner: ProgressReporter
    let run: String
    let out: String
    let dataset: Dataset
    let templates: Templates
    let iwaeSamples: Int
    /// Whether this trainer has written the page: a run that never got as far (another trainer
    /// holds its lock) leaves any existing page alone.
    private var wrote = false
    private var warned = false

    init(wrapping inner: ProgressReporter, run: String, out: String, dataset: Dataset, templates: Templates, iwaeSamples: Int) {
        self.inner = inner
        self.run = run
        self.out = out
        self.dataset = dataset
        self.templates = templates
        self.iwaeSamples = iwaeSamples
    }

    func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {
        inner.step(epoch: epoch, epochs: epochs, batch: batch, batches: batches, imagesPerSecond: imagesPerSecond, loss: loss, secondsLeft: secondsLeft)
    }
    func epochFinished(_ line: String) { inner.epochFinished(line) }
    func message(_ line: String) { inner.message(line) }

    func epochSaved(epoch: Int, of epochs: Int) {
        // A page that cannot be written is said once; training goes on.
        do {
            let page = try LiveReport.write(run: run, dataset: dataset, to: out, status: .training, templates: templates, indexed: indexed)
            if !wrote {
                inner.message("live report: \(page) (reloads every \(LiveReport.refreshSeconds) s while training)")
                if let index = OptionChecks.indexFolder(out: out == defaultFolder ? nil : out) { try ReportIndex.write(reportsFolder: index, templates: templates) }
            }
            wrote = true
        } catch {
            if !warned { FileHandle.standardError.write(Data("betavae: the live report could not be written (training goes on): \(error)\n".utf8)) }
            warned = true
        }
    }

    var defaultFolder: String { "reports/" + RunDirectory(run).name }
    /// True when this command writes reports/index.html beside the page (the default folder).
    var indexed: Bool? { out == defaultFolder ? true : nil }

    /// After training: `outcome` when it ended, or the error that stopped it (rethrown).
    func finish(_ outcome: Result<TrainingOutcome, Error>) throws -> TrainingOutcome {
        switch outcome {
        case .success(let done) where !done.interrupted:
            let page = try RunReport.write(run: run, to: out, policy: OptionChecks.evaluationPolicy(iwaeSamples: iwaeSamples), templates: templates,
                                           indexed: indexed)
            if let index = OptionChecks.indexFolder(out: out == defaultFolder ? nil : out) { try ReportIndex.write(reportsFolder: index, templates: templates) }
            inner.message("report: \(page)")
            return done
        case .success(let done):
            if wrote { try LiveReport.write(run: run, dataset: dataset, to: out, status: .interrupted, templates: templates, indexed: indexed) }
            return done
        case .failure(let error):
            // The error that stopped training is the one to report; a page that cannot say so is left as it was.
            if wrote { _ = try? LiveReport.write(run: run, dataset: dataset, to: out, status: .failed("\(error)"), templates: templates, indexed: indexed) }
            throw error
        }
    }
}
