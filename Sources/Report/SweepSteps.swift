import Datasets
import Foundation
import Training

/// The two steps a sweep on a cluster runs from its plan (`DIR/sweep.json`): one run per array task
/// (train or resume, then report), and the comparison job (report what finished, compare it, list
/// what failed and why).
public enum SweepSteps {
    /// Trains run `index` of `plan` (reused when finished, resumed when interrupted) and writes its
    /// report. Returns the report's path, or nil when training was interrupted (a checkpoint is saved).
    public static func task(_ plan: SweepPlan, index: Int, policy: EvaluationPolicy, templates: Templates,
                            progress: ProgressReporter) throws -> String? {
        precondition(plan.runs.indices.contains(index))
        let entry = plan.runs[index]
        let outcome = try plan.trainRun(index, progress: progress)
        if outcome?.interrupted ?? false { return nil }
        do {
            let loaded = try LoadedRun.load(entry.path)
            return try RunReport.write(loaded, to: plan.reportFolder(entry), policy: policy, templates: templates, indexed: true)
        } catch {
            plan.recordFailure(entry, "report: \(error)")
            throw error
        }
    }

    /// What the comparison job made.
    public struct Finish: Sendable {
        /// The comparison page, or the one finished run's report, or nil when no run finished.
        public var page: String?
        public var failures: [SweepFailure]
        public var finished: [String]
    }

    /// Reports every finished run whose report is missing or older than its checkpoint, compares
    /// them (two or more) with the failures listed on the page, and writes the reports index.
    public static func finish(_ plan: SweepPlan, states: [RunState], policy: EvaluationPolicy, templates: Templates,
                              log: (String) -> Void = { _ in }) throws -> Finish {
        var loaded: [LoadedRun] = []
        var failures: [SweepFailure] = []
        var datasets: [String: Dataset] = [:]
        _ = FileManager.default.changeCurrentDirectoryPath(plan.workingDirectory)
        for (entry, state) in zip(plan.runs, states) {
            guard state.isFinished else {
                let reason: String
                switch state {
                case .failed(let line): reason = line
                case .notStarted: reason = "did not start"
                case .queued: reason = "still queued"
                case .running(let epoch, let of): reason = "still running (epoch \(epoch)/\(of))"
                case .reporting: reason = "still writing its report"
                case .stopped(let epoch, let of): reason = "stopped after epoch \(epoch)/\(of)"
                case .finished: reason = ""
                }
                failures.append(SweepFailure(name: entry.name, reason: reason))
                continue
            }
            do {
                let key = "\(entry.config.dataset)|\(entry.config.seed)"
                let dataset = try datasets[key] ?? DatasetCatalog.load(entry.config.dataset, options: entry.config.datasetOptions)
                datasets[key] = dataset
                let run = try LoadedRun.load(entry.path, dataset: dataset)
                let page = plan.reportFolder(entry) + "/index.html"
                if !isNewer(page, than: entry.run.latestCheckpoint) {
                    log("report: " + (try RunReport.write(run, to: plan.reportFolder(entry), policy: policy, templates: templates, indexed: true)))
                }
                loaded.append(run)
            } catch {
                failures.append(SweepFailure(name: entry.name, reason: "report: \(error)"))
            }
        }
        var page: String?
        if loaded.count >= 2 {
            page = try Comparison.write(loaded: loaded, to: plan.comparisonFolder, failures: failures, policy: policy, templates: templates,
                                        indexed: true)
        } else if let only = loaded.first {
            page = plan.reportFolder(plan.runs.first { $0.path == only.run.path } ?? plan.runs[0]) + "/index.html"
        }
        try ReportIndex.write(reportsFolder: plan.reports, templates: templates)
        return Finish(page: page, failures: failures, finished: loaded.map(\.run.name))
    }

    static func isNewer(_ path: String, than other: String) -> Bool {
        let manager = FileManager.default
        guard let a = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
              let b = (try? manager.attributesOfItem(atPath: other))?[.modificationDate] as? Date else { return false }
        return a >= b
    }
}
