import Datasets
import Foundation
import Training

/// A sweep on this machine, start to finish: train (reuse, resume) every run `jobs` at a time,
/// report each run that finished, compare them with the failures listed on the page, and write
/// the reports index. A run that fails stops only itself.
public enum LocalSweep {
    public struct Result: Sendable {
        /// The comparison page, or the one finished run's report.
        public var page: String
        /// Whether `page` is a comparison (two or more runs finished).
        public var compared: Bool
        public var index: String
        public var failures: [SweepFailure]
        /// The first failure as "path: error", for the command's last line.
        public var firstFailure: String?
    }

    /// Runs the sweep of `plan` (`runs[i]` trains on `datasets[i]`); nil when Ctrl-C stopped it
    /// (the runs in progress saved checkpoints). `log` gets one line per report written.
    public static func run(_ plan: SweepPlan, runs: [SweepRun], datasets: [Dataset], jobs: Int, force: Bool, policy: EvaluationPolicy,
                           templates: Templates, progress: @escaping @Sendable (String) -> ProgressReporter,
                           log: (String) -> Void) throws -> Result? {
        precondition(runs.count == datasets.count && runs.count == plan.runs.count, "one dataset and plan entry per run")
        try plan.write()
        let messages = SweepTraining.train(runs, datasets: datasets, jobs: jobs, force: force, progress: progress)
        if SignalWatcher.stopRequested { return nil }
        var failures: [SweepFailure] = []
        var loaded: [LoadedRun] = []
        for (index, item) in runs.enumerated() {
            let entry = plan.runs[index]
            if let message = messages.first(where: { $0.hasPrefix(item.run.path + ": ") }) {
                let reason = String(message.dropFirst(item.run.path.count + 2))
                plan.recordFailure(entry, reason)
                failures.append(SweepFailure(name: item.run.name, reason: reason))
            } else {
                plan.recordFailure(entry, nil)
                loaded.append(try LoadedRun.load(item.run.path, dataset: datasets[index]))
            }
        }
        if loaded.isEmpty, let first = messages.first { throw TrainingError.io(first) }
        var pages: [String] = []
        for run in loaded {
            pages.append(try RunReport.write(run, to: "\(plan.reports)/\(run.run.name)", policy: policy, templates: templates, indexed: true))
            log("report: \(pages.last ?? "")")
        }
        let compared = loaded.count >= 2
        let page = compared
            ? try Comparison.write(loaded: loaded, to: plan.comparisonFolder, failures: failures, policy: policy, templates: templates,
                                     indexed: true) : pages[0]
        let index = try ReportIndex.write(reportsFolder: plan.reports, templates: templates)
        return Result(page: page, compared: compared, index: index, failures: failures, firstFailure: messages.first)
    }
}
