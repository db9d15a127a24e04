import ArgumentParser
import Datasets
import Engine
import Foundation
import Training

/// `betavae train`: trains one model into a run directory (or continues one with --resume).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VAE, β-VAE, capacity-annealed β-VAE, CVAE or autoencoder into a run directory.",
        discussion: """
        Writes RUN/config.json, RUN/metrics.csv, RUN/checkpoints/ and RUN/snapshots/ (see README).
        Ctrl-C finishes the current step, saves a checkpoint and exits with 130; continue with --resume RUN.
        """)

    @OptionGroup var options: TrainOptions
    @Option(help: "Run directory (default: runs/DATASET-MODEL-betaB-seedS).")
    var out: String?
    @Option(help: "Continue the run in this directory from its latest checkpoint.")
    var resume: String?
    @Flag(help: "Overwrite an existing run in --out.")
    var force = false

    func run() throws {
        let outcome = try reportingErrors { () throws -> TrainingOutcome in
            if let resume { return try Self.resume(resume, epochs: options.epochs) }
            return try Self.train(options, out: out ?? "runs/" + options.defaultRunName, force: force)
        }
        if outcome.interrupted { throw ExitCode(130) }
    }

    /// Trains a new run into `out` and prints its path. Everything is checked before the run
    /// folder is touched: the options, the dataset, and that `out` is free (or a run, with --force).
    static func train(_ options: TrainOptions, out: String, force: Bool,
                      progress: ProgressReporter = defaultProgress()) throws -> TrainingOutcome {
        let run = RunDirectory(out)
        if run.exists && !force { throw TrainingError.runExists(path: run.path) }
        if !run.exists, let contents = try? FileManager.default.contentsOfDirectory(atPath: run.path),
           !contents.filter({ $0 != ".lock" }).isEmpty {
            throw fail("\(run.path) is a folder that is not a betavae run; choose another --out (nothing was written)", code: 64)
        }
        let dataset = try DatasetCatalog.load(options.dataset, options: options.datasetOptions)
        let config = try options.config(name: run.name, dataset: dataset)
        let lock = try RunLock(run: run)
        defer { lock.release() }
        if run.exists {
            for item in [run.config, run.metrics, run.checkpoints, run.snapshots, run.evaluation] {
                try? FileManager.default.removeItem(atPath: item)
            }
        }
        SignalWatcher.install()
        let trainer = Trainer(config: config, dataset: dataset, run: run, progress: progress)
        progress.message("training \(config.model.architecture.rawValue) (\(trainer.model.parameterCount) parameters) on \(dataset.name): "
                         + "\(dataset.train.count) train / \(dataset.test.count) test images → \(run.path)")
        let outcome = try trainer.start()
        if !outcome.interrupted { progress.message("run saved to \(run.path)") }
        return outcome
    }

    /// Continues the run in `path` (optionally to a new number of epochs, which must go past the
    /// epochs it has completed). config.json is rewritten only once the checkpoint and metrics
    /// have loaded, so a resume that fails leaves the run as it was.
    static func resume(_ path: String, epochs: Int?, progress: ProgressReporter = defaultProgress()) throws -> TrainingOutcome {
        let run = RunDirectory(path)
        guard run.exists else { throw TrainingError.runNotFound(path: run.path) }
        var config = try RunConfig.read(path: run.config)
        let saved = try Checkpoint.position(path: run.latestCheckpoint)
        let needed = saved.epoch + (saved.midEpoch ? 1 : 0)
        if let epochs {
            guard epochs > saved.epoch || (saved.midEpoch && epochs == needed) else {
                throw fail("--epochs \(epochs): \(run.path) has already completed \(saved.epoch) epochs; pass --epochs \(saved.epoch + 1) or more to train on", code: 64)
            }
            config.epochs = epochs
        }
        guard config.epochs >= needed else {
            throw TrainingError.corruptRun(path: run.config, reason: "epochs is \(config.epochs) but the checkpoint is at epoch \(saved.epoch); pass --epochs \(needed) or more")
        }
        let dataset = try DatasetCatalog.load(config.dataset, options: config.datasetOptions)
        try config.checkFits(dataset)
        let lock = try RunLock(run: run)
        defer { lock.release() }
        SignalWatcher.install()
        let outcome = try Trainer(config: config, dataset: dataset, run: run, progress: progress).resume()
        if !outcome.interrupted { progress.message("run saved to \(run.path)") }
        return outcome
    }

    static func defaultProgress() -> ProgressReporter {
        isatty(STDERR_FILENO) == 1 ? TerminalProgress() : PlainProgress()
    }
}
