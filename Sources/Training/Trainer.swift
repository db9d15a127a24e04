import Analysis
import Datasets
import Engine
import Foundation
import Models

/// How a call to `Trainer.run` ended.
public struct TrainingOutcome: Sendable {
    public var epochsCompleted: Int
    public var interrupted: Bool
    /// Mean training throughput over the epochs of this call (images per second).
    public var imagesPerSecond: Double
    public var lastTest: MetricsRow?
}

/// The training loop: seeded shuffles, steps, per-epoch evaluation on the whole test split,
/// snapshots, checkpoints and metrics, all written atomically into the run directory.
public final class Trainer {
    public let config: RunConfig
    public let dataset: Dataset
    public let run: RunDirectory
    public let model: VAE
    let adam: Adam
    /// FactorVAE's discriminator and its optimiser (nil for the other objectives).
    let discriminator: DiscriminatorState?
    let progress: ProgressReporter
    let binarization: Binarization
    var rng: RandomGenerator
    var step = 0
    var completedEpochs = 0
    var partial: EpochProgress?
    var metrics: MetricsLog

    /// A fresh model for `config` (its initial weights drawn from the run's seed).
    public init(config: RunConfig, dataset: Dataset, run: RunDirectory, progress: ProgressReporter) {
        self.config = config
        self.dataset = dataset
        self.run = run
        self.progress = progress
        binarization = Binarization(rawValue: config.binarize) ?? .none
        rng = RandomGenerator(seed: config.seed)
        model = VAE(spec: config.model, rng: &rng)
        adam = Adam(parameters: model.namedParameters.map(\.parameter), learningRate: Float(config.learningRate))
        discriminator = Self.discriminator(for: config)
        metrics = MetricsLog(latent: config.model.latent, termNames: config.objective.termNames)
        BLAS.setThreads(config.threads)
        MemoryTuning.retainFreedMemory()
    }

    var conditional: Bool { config.model.conditionClasses > 0 }
    var deterministic: Bool { config.objective == .deterministic }

    /// Starts a new run: writes config.json, then epoch 0 (the untrained model's metrics, snapshot
    /// and checkpoint), then trains.
    public func start() throws(TrainingError) -> TrainingOutcome {
        try write { () throws(FileError) in try AtomicFile.write(config.encoded(), to: run.config) }
        let testStart = Timing.now()
        let test = evaluateTest(epoch: 0)
        // Epoch 0 has no training steps: its train row evaluates the untrained model on up to
        // 10,000 training images.
        let seeds = PosteriorPass.seeds(runSeed: config.seed, epoch: 0)
        let trainStart = PosteriorPass(model: model, set: dataset.train, limit: 10_000, binarization: binarization, seed: seeds.images &+ 1)
            .summary(noiseSeed: seeds.noise &+ 1, deterministic: deterministic)
        metrics.append(evaluationRow(epoch: 0, split: "train", trainStart, seconds: 0,
                                     terms: objectiveTerms(of: trainStart, count: dataset.train.count, seed: seeds.noise &+ 1)))
        metrics.append(evaluationRow(epoch: 0, split: "test", test, seconds: Timing.now() - testStart,
                                     terms: objectiveTerms(of: test, count: dataset.test.count, seed: seeds.noise)))
        try saveSnapshot(epoch: 0, test: test)
        try saveCheckpoint(epochFile: true)
        try write { () throws(FileError) in try metrics.write(to: run.metrics) }
        progress.epochFinished(summary(epoch: 0))
        progress.epochSaved(epoch: 0, of: config.epochs)
        return try train()
    }

    /// Continues from checkpoints/latest.safetensors (mid-epoch if the run was interrupted).
    public func resume() throws(TrainingError) -> TrainingOutcome {
        let state = try Checkpoint.load(path: run.latestCheckpoint, model: model, adam: adam, discriminator: discriminator,
                                        terms: config.objective.termNames.count)
        guard let restored = RandomGenerator(state: state.rngState) else {
            throw .corruptRun(path: run.latestCheckpoint, reason: "invalid RNG state")
        }
        rng = restored
        step = state.step
        completedEpochs = state.epoch
        partial = state.partialEpoch
        metrics = try MetricsLog.read(path: run.metrics, latent: config.model.latent, termNames: config.objective.termNames)
        metrics.truncate(after: completedEpochs)
        guard config.epochs >= completedEpochs + (partial == nil ? 0 : 1) else {
            throw .invalidOption("the run has completed \(completedEpochs) epochs; give it \(completedEpochs + 1) or more to train on")
        }
        // Settings the caller changed (the number of epochs) are recorded only now that the run loaded.
        if (try? RunConfig.read(path: run.config)) != config {
            try write { () throws(FileError) in try AtomicFile.write(config.encoded(), to: run.config) }
        }
        progress.message("resuming \(run.path) after epoch \(completedEpochs), step \(step)"
                         + (partial.map { ", \($0.batchesDone) batches into epoch \(completedEpochs + 1)" } ?? ""))
        return try train()
    }

    private func train() throws(TrainingError) -> TrainingOutcome {
        let schedule = BatchSchedule(count: dataset.train.count, batchSize: config.batchSize)
        var throughput = (images: 0, seconds: 0.0)
        var estimate = TrainingTimeEstimate()
        func outcome(interrupted: Bool) -> TrainingOutcome {
            TrainingOutcome(epochsCompleted: completedEpochs, interrupted: interrupted,
                            imagesPerSecond: Double(throughput.images) / max(throughput.seconds, 1e-9),
                            lastTest: metrics.rows(split: "test").last)
        }
        for epoch in (completedEpochs + 1)..<(config.epochs + 1) {
            var done: EpochProgress
            let batches: [[Int]]
            if let resumed = partial {
                // Mid-epoch resume: the epoch's shuffle comes again from the generator state at its start.
                guard var epochRNG = RandomGenerator(state: resumed.rngAtEpochStart) else {
                    throw .corruptRun(path: run.latestCheckpoint, reason: "invalid RNG state")
                }
                batches = schedule.epoch(rng: &epochRNG)
                guard resumed.batchesDone < batches.count else {
                    throw .corruptRun(path: run.latestCheckpoint, reason: "it was saved \(resumed.batchesDone) batches into an epoch of \(batches.count)")
                }
                done = resumed
                partial = nil
            } else {
                done = .start(rng: rng, latent: config.model.latent, terms: config.objective.termNames.count)
                batches = schedule.epoch(rng: &rng)
            }
            for index in done.batchesDone..<batches.count {
                // A run measured in steps ends at its step, part-way through its last epoch if need be.
                if let steps = config.steps, step >= steps { break }
                let seconds = try trainOnBatch(batches[index], epoch: epoch, into: &done)
                done.batchesDone = index + 1
                throughput.images += batches[index].count
                throughput.seconds += seconds
                var imagesLeft = (batches.count - index - 1) * config.batchSize + (config.epochs - epoch) * dataset.train.count
                if let steps = config.steps { imagesLeft = min(imagesLeft, max(steps - step, 0) * config.batchSize) }
                if let line = estimate.record(images: batches[index].count, seconds: seconds, imagesLeft: imagesLeft) {
                    progress.message(line)
                }
                reportProgress(done, epoch: epoch, batch: index + 1, of: batches.count)
                if SignalWatcher.stopRequested && index + 1 < batches.count {
                    try ensureFiniteParameters(epoch: epoch)
                    partial = done
                    try saveCheckpoint(epochFile: false)
                    progress.epochFinished("interrupted at epoch \(epoch), step \(step); checkpoint saved to \(run.latestCheckpoint)")
                    return outcome(interrupted: true)
                }
            }
            try finishEpoch(epoch, done)
            if SignalWatcher.stopRequested && epoch < config.epochs {
                progress.epochFinished("interrupted after epoch \(epoch); checkpoint saved to \(run.latestCheckpoint)")
                return outcome(interrupted: true)
            }
        }
        return outcome(interrupted: false)
    }

    /// One optimiser step on the batch at `positions`; adds its measurements to `done` and returns
    /// the seconds it took (data, forward, backward, update).
    private func trainOnBatch(_ positions: [Int], epoch: Int, into done: inout EpochProgress) throws(TrainingError) -> Double {
        let started = Timing.now()
        let parameters = adam.parameters
        let batch = dataset.train.batch(positions, binarization: binarization, rng: &rng)
        Gradients.zero(parameters)
        var measured = model.trainStep(images: batch.images, labels: conditional ? batch.labels : [], objective: config.objective,
                                       step: step, datasetSize: dataset.train.count, discriminator: discriminator?.network, rng: &rng)
        guard measured.loss.isFinite else { throw .nonFinite(epoch: epoch, step: step + 1, what: "the loss") }
        if let clip = config.clipNorm {
            let norm = Gradients.clip(parameters, maxNorm: clip)
            guard norm.isFinite else { throw .nonFinite(epoch: epoch, step: step + 1, what: "the gradient") }
        }
        if let schedule = config.learningRateSchedule {
            adam.learningRate = Float(schedule.rate(base: config.learningRate, step: step))
        }
        adam.update()
        if let discriminator, let code = measured.code {
            let result = discriminatorStep(discriminator, real: code)
            measured.terms[1] = result.accuracy
            measured.terms[2] = result.loss
        }
        step += 1
        let n = Double(positions.count)
        done.lossSum += measured.loss * n
        done.reconSum += measured.recon * n
        done.klSum += measured.kl * n
        for j in 0..<measured.klPerDimension.count { done.klPerDimensionSum[j] += measured.klPerDimension[j] * n }
        for j in 0..<measured.terms.count { done.termSums[j] += measured.terms[j] * n }
        done.images += positions.count
        let seconds = Timing.now() - started
        done.seconds += seconds
        return seconds
    }

    /// Seconds one optimiser step takes here for this run: the median of `count` steps on the
    /// first batches of a fresh shuffle, after one warm-up step (oneDNN builds its kernels on the
    /// first call). It trains this trainer's model, so use a trainer made only for the measurement;
    /// nothing is written.
    public func measureSecondsPerStep(count: Int = 3) -> Double {
        let schedule = BatchSchedule(count: dataset.train.count, batchSize: config.batchSize)
        let batches = schedule.epoch(rng: &rng)
        var done = EpochProgress.start(rng: rng, latent: config.model.latent, terms: config.objective.termNames.count)
        var times: [Double] = []
        for index in 0...max(1, count) {
            guard let seconds = try? trainOnBatch(batches[index % batches.count], epoch: 1, into: &done) else { break }
            if index > 0 { times.append(seconds) }
        }
        return times.sorted()[safe: times.count / 2] ?? .nan
    }

    private func reportProgress(_ done: EpochProgress, epoch: Int, batch: Int, of batches: Int) {
        let rate = Double(done.images) / max(done.seconds, 1e-9)
        let remaining = Double(batches - batch) * Double(config.batchSize) + Double(config.epochs - epoch) * Double(dataset.train.count)
        progress.step(epoch: epoch, epochs: config.epochs, batch: batch, batches: batches, imagesPerSecond: rate,
                      loss: done.lossSum / Double(max(done.images, 1)), secondsLeft: remaining / max(rate, 1))
    }

}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Monotonic wall-clock seconds.
enum Timing {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
