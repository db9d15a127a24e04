import Analysis
import Datasets
import Engine
import Foundation

/// `betavae import`: a run directory made from weights trained elsewhere, so that evaluate,
/// report, compare and score work on it as on a run trained here.
///
/// The imported weights are the run's only epoch E: the last epoch of the attached training log,
/// else `config.epochs` (1 unless the user said how long the model trained). The run holds what a
/// trained run holds at E — metrics rows, the snapshot (test means, reconstructions), the
/// checkpoint (Adam's moments zero, step 0) — and no earlier epoch; its config.json records the
/// provenance. Everything is written into a hidden folder inside the run's folder first and moved
/// into place at the end, config.json last, so a failure leaves no run and changes no existing file.
public enum RunImport {
    public static func write(_ config: RunConfig, weights: ImportedWeights, log: ExternalTrainingLog?, dataset: Dataset,
                             run: RunDirectory, force: Bool, progress: ProgressReporter) throws -> MetricsRow? {
        try RunTraining.checkFree(run, force: force)
        try config.checkFits(dataset)
        var config = config
        var provenance = weights.provenance
        if let log {
            config.epochs = log.epochs
            provenance.metricsFile = log.path
            provenance.metricsSHA256 = log.sha256
            provenance.metricsFormat = log.format
        }
        config.snapshotEvery = config.epochs
        provenance.epoch = config.epochs
        config.importedFrom = provenance
        if let problem = config.problem { throw TrainingError.invalidOption(problem) }

        // Staged inside the run's folder, which is removed again if this import created it and failed.
        let createdFolder = !FileManager.default.fileExists(atPath: run.path)
        let staging = RunDirectory(run.path + "/.import-\(getpid())")
        var succeeded = false
        defer {
            try? FileManager.default.removeItem(atPath: staging.path)
            if createdFolder && !succeeded { try? FileManager.default.removeItem(atPath: run.path) }
        }
        do { try FileManager.default.createDirectory(atPath: staging.path, withIntermediateDirectories: true) } catch {
            throw TrainingError.io("\(run.path): cannot create the run's folder (\(error.localizedDescription))")
        }
        let trainer = Trainer(config: config, dataset: dataset, run: staging, progress: progress)
        progress.message("importing \(provenance.sourceModel) (\(trainer.model.parameterCount) parameters) as epoch \(config.epochs) "
                         + "of a \(config.model.architecture.rawValue) run on \(dataset.name) → \(run.path)")
        weights.load(into: trainer.model)
        try trainer.recordImported(epoch: config.epochs, history: log?.rows)
        try moveIntoPlace(staging, run, force: force)
        succeeded = true
        progress.message("run saved to \(run.path)")
        return trainer.metrics.rows(split: "test").last
    }

    /// Moves the staged files into `run` (replacing an old run's files with `force`, under its
    /// lock so no training writes there meanwhile), config.json last.
    static func moveIntoPlace(_ staging: RunDirectory, _ run: RunDirectory, force: Bool) throws(TrainingError) {
        let lock = try RunLock(run: run)
        defer { lock.release() }
        if force && run.exists { run.removeRunFiles() }
        for (from, to) in [(staging.metrics, run.metrics), (staging.checkpoints, run.checkpoints), (staging.snapshots, run.snapshots),
                           (staging.config, run.config)] {
            guard rename(from, to) == 0 else {
                throw .io("\(to): cannot move the imported run into place (\(String(cString: strerror(errno))))")
            }
        }
    }
}

extension Trainer {
    /// Records the imported weights as epoch `epoch`: config.json, the train rows of the other
    /// repository's log (or, without one, the weights' own train row on up to 10,000 training
    /// images, as epoch 0 of a run trained here has), the test row, the snapshot and the checkpoint.
    func recordImported(epoch: Int, history: [MetricsRow]?) throws(TrainingError) {
        try write { () throws(FileError) in try AtomicFile.write(config.encoded(), to: run.config) }
        completedEpochs = epoch
        let seeds = PosteriorPass.seeds(runSeed: config.seed, epoch: epoch)
        if let history {
            for row in history { metrics.append(row) }
        } else {
            let train = PosteriorPass(model: model, set: dataset.train, limit: 10_000, binarization: binarization, seed: seeds.images &+ 1)
                .summary(noiseSeed: seeds.noise &+ 1, deterministic: deterministic)
            metrics.append(evaluationRow(epoch: epoch, split: "train", train, seconds: 0,
                                         terms: objectiveTerms(of: train, count: dataset.train.count, seed: seeds.noise &+ 1)))
        }
        let started = Timing.now()
        let test = evaluateTest(epoch: epoch)
        metrics.append(evaluationRow(epoch: epoch, split: "test", test, seconds: Timing.now() - started,
                                     terms: objectiveTerms(of: test, count: dataset.test.count, seed: seeds.noise)))
        try ensureFiniteParameters(epoch: epoch)
        try saveSnapshot(epoch: epoch, test: test)
        try saveCheckpoint(epochFile: true)
        try write { () throws(FileError) in try metrics.write(to: run.metrics) }
        progress.epochFinished(summary(epoch: epoch))
    }
}
