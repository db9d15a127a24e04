import Datasets
import Foundation

/// Starting, continuing and reusing runs: what `train`, `train --resume` and `sweep` do with a run
/// folder, decided here so that every command decides it the same way.
public enum RunTraining {
    /// Checks that `run` may receive a new run: free, or an existing run with `force`. A folder that
    /// holds anything else is never written into.
    public static func checkFree(_ run: RunDirectory, force: Bool) throws(TrainingError) {
        if run.exists && !force { throw .runExists(path: run.path) }
        if !run.exists, let contents = try? FileManager.default.contentsOfDirectory(atPath: run.path),
           !contents.filter({ $0 != ".lock" }).isEmpty {
            throw .invalidOption("\(run.path) is a folder that is not a betavae run; choose another --out (nothing was written)")
        }
    }

    /// Trains `config` on `dataset` into `run`, taking its lock; with `force` an existing run there is
    /// replaced (only once everything has been checked and the lock is held).
    public static func start(_ config: RunConfig, dataset: Dataset, run: RunDirectory, force: Bool,
                             progress: ProgressReporter) throws -> TrainingOutcome {
        try checkFree(run, force: force)
        let lock = try RunLock(run: run)
        defer { lock.release() }
        if run.exists { run.removeRunFiles() }
        SignalWatcher.install()
        let trainer = Trainer(config: config, dataset: dataset, run: run, progress: progress)
        progress.message("training \(config.model.architecture.rawValue) (\(trainer.model.parameterCount) parameters) on \(dataset.name): "
                         + "\(dataset.train.count) train / \(dataset.test.count) test images → \(run.path)")
        let outcome = try trainer.start()
        if !outcome.interrupted { progress.message("run saved to \(run.path)") }
        return outcome
    }

    /// Settings a resume may change: the number of epochs (which must go past the completed ones),
    /// the learning rate (applied from the next step) and the checkpoints kept (applied at the next
    /// epoch's end), each recorded in config.json.
    public struct Changes: Sendable {
        public var epochs: Int?
        /// The run's new length in optimiser steps (`train --resume RUN --steps N`).
        public var steps: Int?
        public var learningRate: Double?
        public var keepCheckpoints: Int?
        public init(epochs: Int? = nil, steps: Int? = nil, learningRate: Double? = nil, keepCheckpoints: Int? = nil) {
            self.epochs = epochs
            self.steps = steps
            self.learningRate = learningRate
            self.keepCheckpoints = keepCheckpoints
        }
    }

    /// Continues the run in `run` from its latest checkpoint with `changes`. config.json is
    /// rewritten only once the checkpoint and metrics have loaded, so a failed resume changes nothing.
    public static func resume(_ run: RunDirectory, changes: Changes = Changes(), dataset loaded: Dataset? = nil,
                              progress: ProgressReporter) throws -> TrainingOutcome {
        guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
        var config = try RunConfig.read(path: run.config)
        let saved = try Checkpoint.position(path: run.latestCheckpoint)
        try Checkpoint.checkReadable(path: run.latestCheckpoint)
        let needed = saved.epoch + (saved.midEpoch ? 1 : 0)
        if changes.epochs != nil && config.steps != nil {
            throw TrainingError.invalidOption("--epochs: \(run.path) counts its length in steps (\(config.steps ?? 0)); give --steps instead")
        }
        if let steps = changes.steps { try config.extend(toSteps: steps, run: run, saved: saved) }
        if let epochs = changes.epochs {
            guard epochs > saved.epoch || (saved.midEpoch && epochs == needed) else {
                throw TrainingError.invalidOption("--epochs \(epochs): \(run.path) has already completed \(saved.epoch) epochs; "
                                                  + "pass --epochs \(saved.epoch + 1) or more to train on")
            }
            config.epochs = epochs
        }
        if let learningRate = changes.learningRate { config.learningRate = learningRate }
        if let keepCheckpoints = changes.keepCheckpoints { config.keepCheckpoints = keepCheckpoints }
        guard config.epochs >= needed else {
            throw TrainingError.corruptRun(path: run.config, reason: "epochs is \(config.epochs) but the checkpoint is at epoch \(saved.epoch); "
                                           + "pass --epochs \(needed) or more")
        }
        let dataset = try loaded ?? DatasetCatalog.load(config.dataset, options: config.datasetOptions)
        try config.checkFits(dataset)
        let lock = try RunLock(run: run)
        defer { lock.release() }
        SignalWatcher.install()
        let outcome = try Trainer(config: config, dataset: dataset, run: run, progress: progress).resume()
        if !outcome.interrupted { progress.message("run saved to \(run.path)") }
        return outcome
    }

    /// What a sweep does with one of its runs: reuse it when finished with the same settings,
    /// resume it when unfinished, train it when absent (or with `force`). A run made with other
    /// settings than `config` is refused by name (pass --force to retrain it).
    public static func trainOrReuse(_ config: RunConfig, dataset: Dataset, run: RunDirectory, force: Bool,
                                    progress: ProgressReporter) throws -> TrainingOutcome? {
        guard run.exists && !force else { return try start(config, dataset: dataset, run: run, force: force, progress: progress) }
        let existing = try RunConfig.read(path: run.config)
        let differences = existing.differences(from: config)
        guard differences.isEmpty else {
            throw TrainingError.invalidOption("\(run.path) was trained with other settings (\(differences.joined(separator: ", "))); "
                                              + "pass --force to train it again, or choose another --out")
        }
        let done = try Checkpoint.position(path: run.latestCheckpoint)
        if let steps = config.steps {
            // Runs measured in steps are compared by steps: two lengths may share an epoch count.
            let taken = try Checkpoint.step(path: run.latestCheckpoint)
            if taken > steps {
                throw TrainingError.invalidOption("\(run.path) has already trained \(taken) steps, more than the \(steps) asked for; "
                                                  + "pass --steps \(taken) or more, or --force to train it again")
            }
            if taken == steps && !done.midEpoch {
                progress.message("\(run.path) is already trained (\(steps) steps); reusing it")
                return nil
            }
            return try resume(run, changes: Changes(steps: steps), dataset: dataset, progress: progress)
        }
        if done.epoch > config.epochs || (done.epoch == config.epochs && done.midEpoch) {
            throw TrainingError.invalidOption("\(run.path) has already trained \(done.epoch) epochs, more than the \(config.epochs) asked for; "
                                              + "pass --epochs \(done.epoch) or more, or --force to train it again")
        }
        if done.epoch == config.epochs {
            progress.message("\(run.path) is already trained (\(done.epoch) epochs); reusing it")
            return nil
        }
        return try resume(run, changes: Changes(epochs: config.epochs), dataset: dataset, progress: progress)
    }
}

extension RunConfig {
    /// Sets the run's length to `steps` optimiser steps for a resume: more than the checkpoint
    /// `saved` has taken, and not past a last epoch that a shorter length cut part-way (the next
    /// epoch would start from a fresh shuffle, so the run would differ from one trained to `steps`).
    mutating func extend(toSteps steps: Int, run: RunDirectory, saved: (epoch: Int, midEpoch: Bool)) throws {
        let taken = try Checkpoint.step(path: run.latestCheckpoint)
        let batches = Self.batchesPerEpoch(trainCount: trainCount, batchSize: batchSize)
        guard steps > taken else {
            throw TrainingError.invalidOption("--steps \(steps): \(run.path) has already taken \(taken) steps; pass --steps \(taken + 1) or more")
        }
        if !saved.midEpoch && taken != saved.epoch * batches {
            throw TrainingError.invalidOption("--steps \(steps): \(run.path) stopped at step \(taken), part-way through epoch \(saved.epoch) "
                                              + "(\(batches) steps an epoch); train it again with --steps \(steps) --force")
        }
        self.steps = steps
        epochs = Self.epochs(steps: steps, trainCount: trainCount, batchSize: batchSize)
    }
}

extension RunDirectory {
    /// Deletes the run's own files (config, metrics, checkpoints, snapshots, evaluation), nothing else.
    func removeRunFiles() {
        for item in [config, metrics, checkpoints, snapshots, evaluation] { try? FileManager.default.removeItem(atPath: item) }
    }
}

extension RunConfig {
    /// The settings in which `other` differs from this config, as "key: this → other" (ignoring
    /// the name, the tool version and the counts filled in from the data).
    public func differences(from other: RunConfig) -> [String] {
        var a = self, b = other
        a.name = ""; b.name = ""
        a.toolVersion = ""; b.toolVersion = ""
        a.threads = 0; b.threads = 0
        a.epochs = 0; b.epochs = 0   // more epochs continue a run; fewer are refused by the caller
        a.steps = nil; b.steps = nil   // likewise more steps
        a.snapshotEvery = 0; b.snapshotEvery = 0
        a.keepCheckpoints = nil; b.keepCheckpoints = nil   // what is kept on disk, not what is learnt
        guard a != b else { return [] }
        var found: [String] = []
        if a.model != b.model { found.append("model \(a.model.architecture.rawValue) Z = \(a.model.latent), not Z = \(b.model.latent)") }
        if a.objective != b.objective { found.append("objective \(a.objective.summary), not \(b.objective.summary)") }
        if a.dataset != b.dataset || a.limit != b.limit || a.testLimit != b.testLimit || a.binarize != b.binarize {
            found.append("data \(a.dataset), not \(b.dataset)")
        }
        if a.seed != b.seed { found.append("seed \(a.seed), not \(b.seed)") }
        if a.learningRate != b.learningRate || a.learningRateSchedule != b.learningRateSchedule || a.batchSize != b.batchSize || a.clipNorm != b.clipNorm {
            found.append("optimiser settings")
        }
        return found.isEmpty ? ["other settings"] : found
    }
}
