import Datasets
import Engine
import Foundation
import Models

/// What an evaluation will cost, said before it starts: its encodes and decodes counted from the
/// options, each priced by timing one batch of the model on this machine.
public struct EvaluationCost: Sendable {
    /// Images passed through the encoder: the test split, the IWAE's images, the k-NN references
    /// and the disentanglement pool.
    public var encodes: Int
    /// Codes passed through the decoder: one per test image and K per IWAE image.
    public var decodes: Int
    /// Seconds one encode and one decode took in the timed batches.
    public var secondsPerEncode: Double
    public var secondsPerDecode: Double

    public var seconds: Double { Double(encodes) * secondsPerEncode + Double(decodes) * secondsPerDecode }

    /// Counts the work of `Evaluator.evaluate(model:dataset:options:)` and times (twice, keeping
    /// the second) one encoder batch of test images and one IWAE decode batch
    /// (`HeldOutLikelihood.Batching`); takes about a second.
    public static func measure(model: VAE, dataset: Dataset, options: Evaluator.Options) -> EvaluationCost {
        let key = options.key(testCount: dataset.test.count)
        var encodes = key.testImages + key.iwaeImages
        if dataset.train.classCount > 1 { encodes += min(options.knnTrainLimit ?? dataset.train.count, dataset.train.count) }
        if options.disentanglement, dataset.train.factors != nil { encodes += min(DisentanglementMetrics.poolSize, dataset.train.count) }
        let decodes = key.testImages + key.iwaeImages * key.iwaeSamples

        let probe = PosteriorPass(model: model, set: dataset.test, limit: min(key.testImages, PosteriorPass.batchSize),
                                  binarization: options.binarization, seed: 0)
        // Each probe runs twice and the second is timed: the first pays for allocating the layers' buffers.
        var encodeSeconds = 0.0
        for _ in 0..<2 {
            let start = Date()
            probe.forEachBatch { _ in encodeSeconds = Date().timeIntervalSince(start) }
        }
        // One IWAE decode as the estimate runs it: ε, the batched decode and the likelihood (for
        // the MLP the likelihood costs as much as the decode).
        let batching = HeldOutLikelihood.Batching(samples: key.iwaeSamples, floatsPerCode: model.decodeFloatsPerCode,
                                                  budget: HeldOutLikelihood.memoryBudget)
        let group = PosteriorPass(model: model, set: dataset.test, limit: min(key.testImages, batching.imagesPerGroup),
                                  binarization: options.binarization, seed: 0)
        var decodeSeconds = 0.0, rows = 1
        group.forEachBatch(batchSize: batching.imagesPerGroup) { batch in
            var rng = RandomGenerator(seed: 0)
            rows = max(1, batch.positions.count * batching.samplesPerDecode)
            for _ in 0..<2 {
                let start = Date()
                _ = HeldOutLikelihood.logWeights(model: model, batch: batch, samples: batching.samplesPerDecode, rng: &rng)
                decodeSeconds = Date().timeIntervalSince(start)
            }
        }
        return EvaluationCost(encodes: encodes, decodes: decodes, secondsPerEncode: encodeSeconds / Double(max(probe.count, 1)),
                              secondsPerDecode: decodeSeconds / Double(rows))
    }

    /// "about 1 min 40 s" (seconds under a minute, whole minutes past ten).
    public var spoken: String {
        let s = Int(seconds.rounded())
        if s < 60 { return "about \(max(s, 1)) s" }
        if s < 600 { return "about \(s / 60) min \(s % 60) s" }
        return "about \((s + 30) / 60) min"
    }
}
