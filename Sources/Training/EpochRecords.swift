import Analysis
import Datasets
import Engine
import Foundation
import Models

/// What the trainer records at the end of every epoch, and how: the test split's posterior pass,
/// the metrics rows, the snapshot, the checkpoints and the one-line summary, each written
/// atomically into the run directory.
extension Trainer {
    func finishEpoch(_ epoch: Int, _ done: EpochProgress) throws(TrainingError) {
        try ensureFiniteParameters(epoch: epoch)
        let n = Double(max(done.images, 1))
        metrics.append(MetricsRow(epoch: epoch, split: "train", loss: done.lossSum / n, recon: done.reconSum / n, kl: done.klSum / n,
                                  beta: config.objective.weight(atStep: step), capacity: config.objective.capacity(atStep: step),
                                  seconds: done.seconds, klPerDimension: done.klPerDimensionSum.map { $0 / n },
                                  terms: done.termSums.map { $0 / n }))
        let testStart = Timing.now()
        let test = evaluateTest(epoch: epoch)
        let terms = objectiveTerms(of: test, count: dataset.test.count, seed: PosteriorPass.seeds(runSeed: config.seed, epoch: epoch).noise)
        metrics.append(evaluationRow(epoch: epoch, split: "test", test, seconds: Timing.now() - testStart, terms: terms))
        completedEpochs = epoch
        if epoch % max(config.snapshotEvery, 1) == 0 || epoch == config.epochs {
            try saveSnapshot(epoch: epoch, test: test)
        }
        try saveCheckpoint(epochFile: true)
        try write { () throws(FileError) in try metrics.write(to: run.metrics) }
        progress.epochFinished(summary(epoch: epoch, images: done.images))
        progress.epochSaved(epoch: epoch, of: config.epochs)
    }

    /// The test split's posterior pass at the end of `epoch`: the same pass, images and noise as
    /// `betavae evaluate` of that epoch's checkpoint.
    func evaluateTest(epoch: Int) -> PosteriorSummary {
        let seeds = PosteriorPass.seeds(runSeed: config.seed, epoch: epoch)
        return testPass(epoch: epoch).summary(noiseSeed: seeds.noise, deterministic: deterministic)
    }

    func testPass(epoch: Int, limit: Int? = nil) -> PosteriorPass {
        PosteriorPass(model: model, set: dataset.test, limit: limit, binarization: binarization,
                      seed: PosteriorPass.seeds(runSeed: config.seed, epoch: epoch).images)
    }

    func evaluationRow(epoch: Int, split: String, _ e: PosteriorSummary, seconds: Double, terms: [Double]) -> MetricsRow {
        MetricsRow(epoch: epoch, split: split, loss: config.objective.value(recon: e.recon, kl: e.kl, terms: terms, step: step),
                   recon: e.recon, kl: e.kl, beta: config.objective.weight(atStep: step), capacity: config.objective.capacity(atStep: step),
                   seconds: seconds, klPerDimension: e.klPerDimension, terms: terms)
    }

    /// The epoch's line; the rate is `images` (the images the epoch trained on: fewer than the
    /// split when `--steps` ends it part-way) over its training seconds.
    func summary(epoch: Int, images: Int? = nil) -> String {
        let test = metrics.rows(split: "test").last
        let train = metrics.rows(split: "train").last
        let rate = (train?.seconds ?? 0) > 0 ? Double(images ?? dataset.train.count) / (train?.seconds ?? 1) : 0
        return String(format: "epoch %3d/%d  train loss %9.3f  test NELBO %9.3f  recon %9.3f  KL %7.3f  %6.2f s  %7.0f img/s",
                      epoch, config.epochs, train?.loss ?? .nan, test?.nelbo ?? .nan, test?.recon ?? .nan, test?.kl ?? .nan,
                      train?.seconds ?? 0, rate)
    }

    /// Test means and labels from the epoch's pass, and the reconstructions (decoded μ) of its
    /// first 16 images, binarised exactly as the pass saw them.
    func saveSnapshot(epoch: Int, test: PosteriorSummary) throws(TrainingError) {
        var images = Tensor(shape: [0]), reconstructions = Tensor(shape: [0])
        testPass(epoch: epoch, limit: 16).forEachBatch(batchSize: 16) { batch in
            images = batch.images
            reconstructions = model.decodeImages(batch.mean, labels: conditional ? batch.labels : [])
        }
        let snapshot = Snapshot(epoch: epoch, means: test.encoded.means, labels: test.encoded.labels, validationImages: images,
                                reconstructions: reconstructions, validationIndices: Array(0..<images.rows))
        try write { () throws(FileError) in try snapshot.save(to: run.snapshot(epoch: epoch)) }
    }

    func saveCheckpoint(epochFile: Bool) throws(TrainingError) {
        let state = Checkpoint(epoch: completedEpochs, step: step, rngState: rng.state, partialEpoch: partial)
        try write { () throws(FileError) in
            if epochFile {
                try Checkpoint.save(model: model, adam: adam, discriminator: discriminator, state: state, to: run.checkpoint(epoch: completedEpochs))
            }
            try Checkpoint.save(model: model, adam: adam, discriminator: discriminator, state: state, to: run.latestCheckpoint)
        }
        // Older epochs' checkpoints go as training goes, once the newer ones are safely written.
        if epochFile { run.pruneCheckpoints(config: config, newest: completedEpochs) }
    }

    func ensureFiniteParameters(epoch: Int) throws(TrainingError) {
        for item in model.namedParameters + (discriminator?.network.namedParameters ?? []) where !item.parameter.value.isFinite {
            throw .nonFinite(epoch: epoch, step: step, what: "parameter \(item.name)")
        }
    }

    func write(_ body: () throws(FileError) -> Void) throws(TrainingError) {
        do { try body() } catch { throw .io(error.description) }
    }
}
