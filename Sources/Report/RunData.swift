import Analysis
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
    let evaluation: EvaluationResult

    var config: RunConfig { loaded.config }
    var model: VAE { loaded.model }
    var latent: Int { config.model.latent }
    var imageShape: [Int] { config.model.imageShape }

    /// Loads the run; computes and saves evaluation.json when it is missing or for another epoch.
    static func load(_ path: String, iwaeSamples: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> RunData {
        let loaded = try LoadedRun.load(path)
        let spec = loaded.config.model
        let metrics = try MetricsLog.read(path: loaded.run.metrics, latent: spec.latent)
        let snapshots = try loaded.run.snapshotEpochs().map { try Snapshot.load(path: loaded.run.snapshot(epoch: $0), spec: spec) }
        let evaluation: EvaluationResult
        if let data = FileManager.default.contents(atPath: loaded.run.evaluation),
           case let saved = try EvaluationResult.decode(Array(data), path: loaded.run.evaluation, latent: spec.latent),
           saved.epoch == loaded.epoch {
            evaluation = saved
        } else {
            var options = Evaluator.Options()
            options.iwaeSamples = iwaeSamples
            options.progress = progress
            options.seed = loaded.config.seed
            options.binarization = .init(rawValue: loaded.config.binarize) ?? .none
            let steps = loaded.epoch * ((loaded.config.trainCount + loaded.config.batchSize - 1) / loaded.config.batchSize)
            let objective = loaded.config.objective
            evaluation = Evaluator.evaluate(model: loaded.model, dataset: loaded.dataset, epoch: loaded.epoch, options: options) {
                objective.value(recon: $0, kl: $1, step: steps)
            }
            try AtomicFile.write(evaluation.encoded(), to: loaded.run.evaluation)
        }
        return RunData(loaded: loaded, metrics: metrics, snapshots: snapshots, evaluation: evaluation)
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

    /// A short description of the objective ("β = 4", "capacity C → 25 nats, γ = 1000", "autoencoder").
    var objectiveSummary: String {
        switch config.objective {
        case .beta(let beta): return "β = \(RunData.number(beta))"
        case let .capacity(gamma, _, maximum, steps): return "capacity C → \(RunData.number(maximum)) nats over \(steps) steps, γ = \(RunData.number(gamma))"
        case .deterministic: return "autoencoder (z = μ, no KL)"
        }
    }

    static func number(_ value: Double) -> String { compactNumber(value) }
}
