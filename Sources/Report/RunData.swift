import Analysis
import Datasets
import Engine
import Foundation
import Models
import Plot
import Training

/// Everything a run's report is drawn from: the run (config, dataset, model at its latest
/// checkpoint), its metrics, its snapshots and its evaluation.
struct RunData {
    let loaded: LoadedRun
    let metrics: MetricsLog
    let snapshots: [Snapshot]
    /// Nil only for a live page (the run still training), which draws only `RunFigures.live`.
    private let savedEvaluation: EvaluationResult?
    /// KL per dimension and active units: the evaluation's; on a live page the latest test row's
    /// KL with the latest snapshot's test means (both from the pass the evaluation would make).
    let usage: LatentUsage

    /// The run's evaluation (every figure but `RunFigures.live` needs it).
    var evaluation: EvaluationResult {
        guard let savedEvaluation else { preconditionFailure("a live page draws only RunFigures.live, which need no evaluation") }
        return savedEvaluation
    }
    var isLive: Bool { savedEvaluation == nil }

    var config: RunConfig { loaded.config }
    var model: VAE { loaded.model }
    var latent: Int { config.model.latent }
    var imageShape: [Int] { config.model.imageShape }

    /// Reads a loaded run's metrics and snapshots (checked against its model) and its evaluation
    /// as `policy` says.
    static func load(_ loaded: LoadedRun, policy: EvaluationPolicy) throws -> RunData {
        let spec = loaded.config.model
        let metrics = try MetricsLog.read(path: loaded.run.metrics, latent: spec.latent, termNames: loaded.config.objective.termNames)
        let snapshots = try loaded.run.snapshotEpochs().map { try Snapshot.load(path: loaded.run.snapshot(epoch: $0), spec: spec) }
        let evaluation = try policy.evaluation(of: loaded)
        return RunData(loaded: loaded, metrics: metrics, snapshots: snapshots, savedEvaluation: evaluation, usage: evaluation.usage)
    }

    /// A run that is still training, without an evaluation (computing one every epoch would cost
    /// more than the epoch): its metrics and snapshots as they are on disk.
    static func live(_ loaded: LoadedRun) throws -> RunData {
        let spec = loaded.config.model
        let metrics = try MetricsLog.read(path: loaded.run.metrics, latent: spec.latent)
        let snapshots = try loaded.run.snapshotEpochs().map { try Snapshot.load(path: loaded.run.snapshot(epoch: $0), spec: spec) }
        guard let latest = metrics.rows(split: "test").last, let snapshot = snapshots.last else {
            throw TrainingError.corruptRun(path: loaded.run.path, reason: "it has no test row or snapshot yet; train it for at least epoch 0")
        }
        return RunData(loaded: loaded, metrics: metrics, snapshots: snapshots, savedEvaluation: nil,
                       usage: LatentUsage(means: snapshot.means, klPerDimension: latest.klPerDimension))
    }

    /// Loads the run at `path` (its latest completed epoch), then as `load(_:policy:)`. With a
    /// saved evaluation to use, the training images are not read: the page draws from the test
    /// images alone (only computing an evaluation, for its 5-NN accuracy, needs them).
    static func load(_ path: String, policy: EvaluationPolicy) throws -> RunData {
        let testImagesOnly = try LoadedRun.load(path, readsTrainingImages: false)
        if try policy.hasSavedEvaluation(testImagesOnly) { return try load(testImagesOnly, policy: policy) }
        return try load(testImagesOnly.readingTrainingImages(), policy: policy)
    }

    /// The posterior of the first `limit` test images, from the pass the run's evaluation uses
    /// (binarised as the run trains, the same images).
    func testPosterior(limit: Int) -> EncodedSet {
        PosteriorPass(model: model, set: loaded.dataset.test, limit: limit, binarization: Binarization(rawValue: config.binarize) ?? .none,
                      seed: PosteriorPass.seeds(runSeed: config.seed, epoch: loaded.epoch).images).encode()
    }

    /// A snapshot's test means projected on their first two principal components (LAPACK ssyevd
    /// on the covariance), with each component's share of the variance; nil when there are too
    /// few means or dimensions. The report's and the comparison's scatter plots both use it.
    func projection(of snapshot: Snapshot) throws -> (x: [Double], y: [Double], ratios: [Double])? {
        guard snapshot.means.rows > 2, latent >= 2 else { return nil }
        let pca = try PCA(fitting: snapshot.means, components: 2)
        let points = pca.project(snapshot.means)
        return ((0..<points.rows).map { Double(points[$0 * 2]) }, (0..<points.rows).map { Double(points[$0 * 2 + 1]) },
                pca.explainedVarianceRatio)
    }

    /// Image `index` of a batch tensor `[N, C, H, W]` as a grid image.
    static func image(_ batch: Tensor, _ index: Int) -> GridImage {
        let (c, h, w) = (batch.shape[1], batch.shape[2], batch.shape[3])
        let size = c * h * w
        return GridImage(width: w, height: h, channels: c, pixels: Array(batch.scalars[(index * size)..<((index + 1) * size)]))
    }

    /// Decoded images of `codes` as grid images.
    func decodeImages(_ codes: Tensor, labels: [Int] = []) -> [GridImage] {
        var images: [GridImage] = []
        for start in stride(from: 0, to: codes.rows, by: 256) {
            let chunk = codes.rows(start..<min(start + 256, codes.rows))
            let chunkLabels = labels.isEmpty ? [] : Array(labels[start..<(start + chunk.rows)])
            let decoded = model.decodeImages(chunk, labels: chunkLabels)
            images += (0..<chunk.rows).map { RunData.image(decoded, $0) }
        }
        return images
    }

    /// `count` decodes of prior draws z ~ N(0, I) from the run's seed (a conditional model cycles
    /// through the labels), the same draws in the run's report and in comparisons.
    func priorSampleImages(count: Int) -> [GridImage] {
        var rng = RandomGenerator(seed: config.seed &+ 0x5A4D)
        let classes = config.model.conditionClasses
        let labels = classes > 0 ? (0..<count).map { $0 % classes } : []
        return decodeImages(LatentWalks.priorSamples(count: count, latent: latent, rng: &rng), labels: labels)
    }

    /// False for a run made by `betavae import` without the other repository's training log and
    /// not trained on here since: its metrics hold the imported weights' epoch alone, so there
    /// are no curves over epochs.
    var hasTrainingHistory: Bool {
        guard let source = config.importedFrom, !source.hasTrainingLog else { return true }
        return Set(metrics.rows.map(\.epoch)).count > 1
    }

    /// A short description of the objective (`Objective.summary`).
    var objectiveSummary: String { config.objective.summary }

    static func number(_ value: Double) -> String { compactNumber(value) }
}
