import Datasets
import Engine
import Foundation

/// A sweep written down: every run's settings and folder, where reports go, and how they are
/// evaluated (`DIR/sweep.json`). The local executor writes it for `sweep --status`; on Slurm each
/// array task reads it to train its one run (`sweep-task DIR --index I`) and the comparison job to
/// report them (`sweep-finish DIR`). All paths are absolute, so a task may start in any folder.
public struct SweepPlan: Codable, Equatable, Sendable {
    public static let fileName = "sweep.json"
    public static let runLimit = 10_000

    /// One run of the sweep: its name (the folder's last component), folder and settings.
    public struct Entry: Codable, Equatable, Sendable {
        public var name: String
        public var path: String
        public var config: RunConfig
        public init(name: String, path: String, config: RunConfig) {
            self.name = name
            self.path = path
            self.config = config
        }
        public var run: RunDirectory { RunDirectory(path) }
    }

    public var version = 1
    /// The sweep's name (its folder's last component; the comparison page's folder name).
    public var name: String
    /// The sweep folder, absolute.
    public var folder: String
    /// The reports folder, absolute.
    public var reports: String
    /// Importance samples K for each run's evaluation.
    public var iwaeSamples: Int
    /// The folder relative dataset paths (idx:DIR, images:DIR) were given in.
    public var workingDirectory: String
    public var runs: [Entry]

    public init(folder: String, reports: String, iwaeSamples: Int, workingDirectory: String, runs: [SweepRun]) {
        self.folder = SweepPlan.absolute(folder, in: workingDirectory)
        self.name = URL(fileURLWithPath: self.folder).lastPathComponent
        self.reports = SweepPlan.absolute(reports, in: workingDirectory)
        self.iwaeSamples = iwaeSamples
        self.workingDirectory = workingDirectory
        self.runs = runs.map { Entry(name: $0.run.name, path: SweepPlan.absolute($0.run.path, in: workingDirectory), config: $0.config) }
    }

    public var file: String { folder + "/" + Self.fileName }
    /// Why a run failed, one line, written by the task that failed (removed when it succeeds).
    public func failureFile(_ entry: Entry) -> String { folder + "/failures/" + entry.name + ".txt" }
    public func reportFolder(_ entry: Entry) -> String { reports + "/" + entry.name }
    public var comparisonFolder: String { reports + "/" + name }

    /// `path` made absolute against `folder` and standardised (no `.`/`..` components).
    public static func absolute(_ path: String, in folder: String) -> String {
        let joined = path.hasPrefix("/") ? path : folder + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    public func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(self)) + [0x0A], to: file)
    }

    /// Reads `DIR/sweep.json`, refusing a file that is not a plan or names runs outside the sweep folder.
    public static func read(folder: String) throws(TrainingError) -> SweepPlan {
        let path = absolute(folder, in: FileManager.default.currentDirectoryPath) + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("\(path): not found; 'betavae sweep' writes it into the sweep folder (its --out)")
        }
        let plan: SweepPlan
        do { plan = try JSONDecoder().decode(SweepPlan.self, from: data) } catch {
            throw .corruptRun(path: path, reason: "not a betavae sweep plan (\(error))")
        }
        if let problem = plan.problem { throw .corruptRun(path: path, reason: problem) }
        return plan
    }

    /// What makes a plan unusable: no runs or too many, a run outside the sweep folder or named
    /// twice, relative folders, impossible settings.
    public var problem: String? {
        guard version == 1 else { return "version \(version) is not 1" }
        guard (1...Self.runLimit).contains(runs.count) else { return "it must name 1…\(Self.runLimit) runs, not \(runs.count)" }
        guard (1...100_000).contains(iwaeSamples) else { return "iwaeSamples must be 1…100000, not \(iwaeSamples)" }
        for path in [folder, reports, workingDirectory] where !path.hasPrefix("/") { return "'\(path)' is not an absolute path" }
        guard Set(runs.map(\.name)).count == runs.count else { return "a run is named twice" }
        for entry in runs {
            guard !entry.name.isEmpty, !entry.name.contains("/"), entry.name != ".", entry.name != "..",
                  entry.path == folder + "/" + entry.name else {
                return "run '\(entry.name)' is not a folder of the sweep folder \(folder)"
            }
            if let problem = entry.config.problem { return "run \(entry.name): \(problem)" }
        }
        return nil
    }
}

/// A sweep's run and what became of it, as `sweep --status` shows it.
public enum RunState: Equatable, Sendable {
    case notStarted
    case queued
    case running(epoch: Int, of: Int)
    /// Trained; its task is evaluating it and writing its report.
    case reporting
    /// Stopped before its last epoch and not in the queue (Ctrl-C, a cancelled task).
    case stopped(epoch: Int, of: Int)
    case finished(epochs: Int)
    case failed(String)

    public var description: String {
        switch self {
        case .notStarted: return "not started"
        case .queued: return "queued"
        case let .running(epoch, of): return "running, epoch \(epoch)/\(of)"
        case .reporting: return "running, trained; writing its report"
        case let .stopped(epoch, of): return "stopped after epoch \(epoch)/\(of)"
        case let .finished(epochs): return "finished (\(epochs) epochs)"
        case let .failed(reason): return "failed: \(reason)"
        }
    }

    public var isFinished: Bool { if case .finished = self { return true }; return false }
}

extension SweepPlan {
    /// The epochs a run's latest checkpoint has completed (nil: no checkpoint yet) and whether it
    /// is finished with this plan's settings.
    public func progress(_ entry: Entry) -> (epoch: Int, finished: Bool)? {
        guard entry.run.exists, let position = try? Checkpoint.position(path: entry.run.latestCheckpoint) else { return nil }
        return (position.epoch, position.epoch >= entry.config.epochs && !position.midEpoch)
    }

    /// The recorded failure line of a run, if its last attempt failed.
    public func recordedFailure(_ entry: Entry) -> String? {
        guard let text = try? String(contentsOfFile: failureFile(entry), encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? nil : line
    }

    /// Records (or with nil clears) why a run failed.
    public func recordFailure(_ entry: Entry, _ message: String?) {
        guard let message else { try? FileManager.default.removeItem(atPath: failureFile(entry)); return }
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        try? AtomicFile.write(Array((line + "\n").utf8), to: failureFile(entry))
    }

    /// Each run's state from its folder alone (the local executor; Slurm adds the queue's view).
    public func localStates() -> [RunState] {
        runs.map { entry in
            if let failure = recordedFailure(entry), !(progress(entry)?.finished ?? false) { return .failed(failure) }
            guard let done = progress(entry) else { return .notStarted }
            return done.finished ? .finished(epochs: done.epoch) : .stopped(epoch: done.epoch, of: entry.config.epochs)
        }
    }

    /// Trains run `index` as a sweep does (reuse finished, resume unfinished, refuse other
    /// settings), loading its dataset; records or clears its failure line.
    public func trainRun(_ index: Int, progress: ProgressReporter) throws -> TrainingOutcome? {
        let entry = runs[index]
        do {
            _ = FileManager.default.changeCurrentDirectoryPath(workingDirectory)
            let dataset = try DatasetCatalog.load(entry.config.dataset, options: entry.config.datasetOptions)
            try entry.config.checkFits(dataset)
            let outcome = try RunTraining.trainOrReuse(entry.config, dataset: dataset, run: entry.run, force: false, progress: progress)
            if !(outcome?.interrupted ?? false) { recordFailure(entry, nil) }
            return outcome
        } catch {
            recordFailure(entry, "\(error)")
            throw error
        }
    }
}
