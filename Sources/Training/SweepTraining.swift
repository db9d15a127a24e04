import Datasets
import Engine
import Dispatch
import Foundation

/// One run of a sweep: the settings it must have and where it lives.
public struct SweepRun: Sendable {
    public let config: RunConfig
    public let run: RunDirectory
    public init(config: RunConfig, run: RunDirectory) {
        self.config = config
        self.run = run
    }
}

/// Trains a sweep's runs, `jobs` at a time, each reused, resumed or trained as
/// `RunTraining.trainOrReuse` decides. A run that fails does not stop the others.
public enum SweepTraining {
    /// Returns the failures as "path: error" lines, in run order. `progress(name)` gives each run
    /// its reporter; Ctrl-C stops handing out new runs (runs in progress checkpoint and stop).
    public static func train(_ runs: [SweepRun], dataset: Dataset, jobs: Int, force: Bool,
                             progress: @escaping @Sendable (String) -> ProgressReporter) -> [String] {
        train(runs, datasets: Array(repeating: dataset, count: runs.count), jobs: jobs, force: force, progress: progress)
    }

    /// As `train(_:dataset:…)` with each run's own dataset (`datasets[i]` for `runs[i]`): runs of
    /// different seeds may split the data differently.
    /// `finished(i)`, when given, runs in the worker right after run `i` trained (or was reused),
    /// so that its follow-up work (a study's evaluation) runs `jobs` at a time too; an error there
    /// counts as the run's failure.
    public static func train(_ runs: [SweepRun], datasets: [Dataset], jobs: Int, force: Bool,
                             progress: @escaping @Sendable (String) -> ProgressReporter,
                             finished: (@Sendable (Int) throws -> Void)? = nil) -> [String] {
        precondition(datasets.count == runs.count)
        let queue = WorkQueue(count: runs.count)
        let failures = ConcurrentSlots<String>(count: runs.count)
        let shared = UncheckedSendableBox(datasets)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, runs.count))) { _ in
            while let index = queue.next(), !SignalWatcher.stopRequested {
                let item = runs[index]
                do {
                    let outcome = try RunTraining.trainOrReuse(item.config, dataset: shared.value[index], run: item.run, force: force,
                                                               progress: progress(item.run.name))
                    if !(outcome?.interrupted ?? false) { try finished?(index) }
                } catch {
                    failures.set(index, "\(item.run.path): \(error)")
                }
            }
        }
        return failures.values.compactMap { $0 }
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

/// A value shared with concurrent workers that only read it (the dataset: immutable image sets).
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
