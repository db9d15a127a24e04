import ArgumentParser
import Dispatch
import Engine
import Foundation
import Report
import Training

/// `betavae sweep --betas 0.1,1,4,10`: one run per β, a report for each, and their comparison.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train one run per β, report each, compare them, and print the comparison page's path.",
        discussion: "Runs go to OUT/NAME-betaB (NAME is OUT's last component); finished runs are reused and unfinished ones resumed unless --force.")

    @Option(help: "The β values, comma-separated.")
    var betas = "0.1,1,4,10"
    @OptionGroup var options: TrainOptions
    @Option(help: "Folder for the sweep's runs (default: runs/sweep).")
    var out = "runs/sweep"
    @Option(help: "Runs trained at once (each gets threads/jobs OpenBLAS threads).")
    var jobs = 1
    @Option(help: "Importance samples K for each run's IWAE bound.")
    var iwaeSamples = 200
    @Option(help: "Folder the reports go to.")
    var reports = "reports"
    @Flag(help: "Retrain runs that already exist.")
    var force = false

    /// The β values: finite, ≥ 0, each naming its own run (0.1 and 0.10 are the same β).
    func parsedBetas() throws -> [Double] {
        let values = try OptionChecks.list(betas, option: "--betas").map { item -> Double in
            guard let value = Double(item), value.isFinite, value >= 0 else {
                throw ValidationError("--betas must be finite β ≥ 0 separated by commas; '\(item)' is not")
            }
            return value
        }
        var seen = Set<String>()
        for value in values where !seen.insert(TrainOptions.compact(value)).inserted {
            throw ValidationError("--betas names β = \(TrainOptions.compact(value)) twice; give each β once")
        }
        return values
    }

    func validate() throws {
        _ = try parsedBetas()
        guard (1...RunConfig.threadLimit).contains(jobs) else { throw ValidationError("--jobs must be 1…\(RunConfig.threadLimit), not \(jobs)") }
        try OptionChecks.iwaeSamples(iwaeSamples)
    }

    func run() throws {
        try reportingErrors {
            let name = URL(fileURLWithPath: out).lastPathComponent
            let betaValues = try parsedBetas()
            let paths = betaValues.map { "\(out)/\(name)-beta\(TrainOptions.compact($0))" }
            try trainAll(betaValues, paths: paths)
            if SignalWatcher.stopRequested { throw ExitCode(130) }
            let templates = try Templates()
            for path in paths {
                let page = try RunReport.write(run: path, to: "\(reports)/\(RunDirectory(path).name)", iwaeSamples: iwaeSamples, templates: templates,
                                               progress: iwaeProgress(samples: iwaeSamples))
                writeLine("report: \(page)")
            }
            let comparison = try Comparison.write(runs: paths, to: "\(reports)/\(name)", iwaeSamples: iwaeSamples, templates: templates)
            let index = try ReportIndex.write(reportsFolder: reports, templates: templates)
            writeLine("index: \(index)")
            writeLine(comparison)
        }
    }

    /// Trains (or reuses, or resumes) every run, `jobs` at a time.
    func trainAll(_ betaValues: [Double], paths: [String]) throws {
        let threadsEach = max(1, options.threads / jobs)
        let queue = WorkQueue(count: paths.count)
        let failures = FailureLog()
        let work = UncheckedBox { (index: Int) in
            do {
                var runOptions = options
                runOptions.beta = betaValues[index]
                runOptions.objective = .beta
                runOptions.threads = threadsEach
                if runOptions.epochs == nil { runOptions.epochs = 20 }
                let progress = LabelledProgress(label: RunDirectory(paths[index]).name)
                try Self.trainOrReuse(runOptions, path: paths[index], force: force, progress: progress)
            } catch {
                failures.record("\(paths[index]): \(error)")
            }
        }
        DispatchQueue.concurrentPerform(iterations: min(jobs, paths.count)) { _ in
            while let index = queue.next(), !SignalWatcher.stopRequested { work.value(index) }
        }
        if let first = failures.first { throw TrainingError.io(first) }
    }

    static func trainOrReuse(_ options: TrainOptions, path: String, force: Bool, progress: ProgressReporter) throws {
        let run = RunDirectory(path)
        if run.exists && !force {
            let config = try RunConfig.read(path: run.config)
            let done = (try? MetricsLog.read(path: run.metrics))?.rows(split: "test").last?.epoch ?? 0
            if done >= config.epochs {
                progress.message("\(path) is already trained (\(done) epochs); reusing it")
                return
            }
            _ = try TrainCommand.resume(path, epochs: nil, progress: progress)
            return
        }
        _ = try TrainCommand.train(options, out: path, force: force, progress: progress)
    }
}

/// Hands out indices 0..<count to concurrent workers.
final class WorkQueue: @unchecked Sendable {
    private var nextIndex = 0
    private let count: Int
    private let lock = NSLock()
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}

/// Errors collected from concurrent workers.
final class FailureLog: @unchecked Sendable {
    private var messages: [String] = []
    private let lock = NSLock()
    func record(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
}

/// A closure shared with concurrent workers that touch disjoint runs.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One plain line per epoch, prefixed with the run's name (several runs may train at once).
final class LabelledProgress: ProgressReporter {
    let label: String
    init(label: String) { self.label = label }
    func step(epoch: Int, epochs: Int, batch: Int, batches: Int, imagesPerSecond: Double, loss: Double, secondsLeft: Double) {}
    func epochFinished(_ line: String) { writeLine("[\(label)] \(line)") }
    func message(_ line: String) { writeLine("[\(label)] \(line)") }
}
