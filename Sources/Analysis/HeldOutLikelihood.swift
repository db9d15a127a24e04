import Datasets
import Engine
import Foundation
import Models

/// Held-out likelihood numbers per image, in nats.
public struct LikelihoodEstimate: Codable, Equatable, Sendable {
    /// −ELBO at β = 1: mean reconstruction NLL over the K samples + analytic KL.
    public var nelbo: Double
    public var recon: Double
    public var kl: Double
    /// −log p(x) by the importance-weighted bound (Burda et al. 2016) with `samples` samples.
    public var iwaeNLL: Double
    /// Standard error of `iwaeNLL` over images.
    public var iwaeStandardError: Double
    public var samples: Int
    public var images: Int
}

/// The importance-weighted estimate of log p(x) (Burda, Grosse & Salakhutdinov 2016):
/// log p(x) ≈ log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x), zₖ ~ q(z|x), computed with log-sum-exp.
/// For z = μ + σ·ε, log p(z) − log q(z|x) = Σⱼ ½(εⱼ² − zⱼ² + log σⱼ²), the 2π terms cancelling.
public enum HeldOutLikelihood {
    /// Estimates over the first `limit` images of `set` (all by default) with `samples` = K per image.
    /// Decoder batches hold about 2,048 codes; every draw comes from `seed`.
    /// `progress(done, total)` is called after each chunk of images (for a progress display).
    public static func estimate(model: VAE, set: any ImageSet, samples: Int, limit: Int? = nil,
                                binarization: Binarization = .none, seed: UInt64 = 0,
                                progress: ((Int, Int) -> Void)? = nil) -> LikelihoodEstimate {
        precondition(samples > 0, "IWAE needs at least one sample")
        let count = min(limit ?? set.count, set.count)
        let z = model.spec.latent
        let conditional = model.spec.conditionClasses > 0
        var rng = RandomGenerator(seed: seed)
        let imagesPerChunk = max(1, min(64, 2048 / samples))
        let samplesPerPass = max(1, min(samples, 2048 / imagesPerChunk))
        var perImageNLL: [Double] = []
        var reconTotal = 0.0, klTotal = 0.0
        for positions in BatchSchedule(count: count, batchSize: imagesPerChunk).sequential() {
            let batch = set.batch(positions, binarization: binarization, rng: &rng)
            let labels = conditional ? batch.labels : []
            let (mean, logVariance) = model.encode(batch.images, labels: labels)
            let b = positions.count
            let kl = Losses.gaussianKL(mean: mean, logVariance: logVariance)
            klTotal += kl.sum()
            var logWeights = [[Double]](repeating: [], count: b)
            var reconSums = [Double](repeating: 0, count: b)
            var done = 0
            while done < samples {
                let k = min(samplesPerPass, samples - done)
                let rows = b * k
                var codes = Tensor(shape: [rows, z])
                var logRatio = [Double](repeating: 0, count: rows)
                var targets = Tensor(shape: [rows] + Array(batch.images.shape.dropFirst()))
                let size = batch.images.columns
                var rowLabels: [Int] = []
                for image in 0..<b {
                    for sample in 0..<k {
                        let row = image * k + sample
                        var ratio = 0.0
                        for j in 0..<z {
                            let eps = rng.normal()
                            let lv = logVariance[image * z + j]
                            let value = mean[image * z + j] + Foundation.exp(0.5 * lv) * eps
                            codes[row * z + j] = value
                            ratio += 0.5 * Double(eps * eps - value * value + lv)
                        }
                        logRatio[row] = ratio
                        targets.scalars.replaceSubrange((row * size)..<((row + 1) * size),
                                                        with: batch.images.scalars[(image * size)..<((image + 1) * size)])
                        if conditional { rowLabels.append(batch.labels[image]) }
                    }
                }
                let output = model.decode(codes, labels: rowLabels)
                let (nll, _) = model.spec.likelihood.negativeLogLikelihood(output: output, images: targets, gradientScale: nil)
                for image in 0..<b {
                    for sample in 0..<k {
                        let row = image * k + sample
                        logWeights[image].append(-Double(nll[row]) + logRatio[row])
                        reconSums[image] += Double(nll[row])
                    }
                }
                done += k
            }
            for image in 0..<b {
                perImageNLL.append(-logMeanExp(logWeights[image]))
                reconTotal += reconSums[image] / Double(samples)
            }
            progress?(perImageNLL.count, count)
        }
        let n = Double(max(count, 1))
        let meanNLL = perImageNLL.reduce(0, +) / n
        let variance = perImageNLL.reduce(0) { $0 + ($1 - meanNLL) * ($1 - meanNLL) } / max(n - 1, 1)
        return LikelihoodEstimate(nelbo: (reconTotal + klTotal) / n, recon: reconTotal / n, kl: klTotal / n, iwaeNLL: meanNLL,
                                  iwaeStandardError: (variance / n).squareRoot(), samples: samples, images: count)
    }

    /// log((1/K) Σ e^{aₖ}), stable for any magnitudes.
    public static func logMeanExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(values.count))
    }
}
