import Datasets
import Engine
import Foundation
import Models

/// Held-out likelihood numbers per image, in nats: the one-sample terms of the posterior pass (the
/// same numbers as metrics.csv's test row of that epoch) and the IWAE bound.
public struct LikelihoodEstimate: Codable, Equatable, Sendable {
    /// −ELBO at β = 1 with one z sample per image: `recon + kl`.
    public var nelbo: Double
    /// −log p(x|z), one z = μ + σ·ε per image.
    public var recon: Double
    /// Analytic KL(q(z|x) ‖ N(0, I)).
    public var kl: Double
    /// −log p(x) by the importance-weighted bound (Burda et al. 2016) with `samples` samples.
    public var iwaeNLL: Double
    /// Standard error of `iwaeNLL` over images.
    public var iwaeStandardError: Double
    public var samples: Int
    public var images: Int
}

/// The IWAE bound over a pass: −log p(x) per image averaged, its standard error, and the K-sample
/// Monte-Carlo −ELBO (−mean of the log weights), which the bound never exceeds.
public struct ImportanceEstimate: Sendable {
    public var nll: Double
    public var standardError: Double
    public var elboNLL: Double
    public var samples: Int
    public var images: Int
}

/// The importance-weighted estimate of log p(x) (Burda, Grosse & Salakhutdinov 2016):
/// log p(x) ≈ log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x), zₖ ~ q(z|x), computed with log-sum-exp.
/// For z = μ + σ·ε, log p(z) − log q(z|x) = Σⱼ ½(εⱼ² − zⱼ² + log σⱼ²), the 2π terms cancelling.
public enum HeldOutLikelihood {
    /// Estimates over the images of `pass` with `samples` = K per image (ε from `seed`). Decoder
    /// batches hold about 2,048 codes; `progress(done, total)` follows each chunk of images.
    public static func estimate(pass: PosteriorPass, samples: Int, seed: UInt64,
                                progress: ((Int, Int) -> Void)? = nil) -> ImportanceEstimate {
        precondition(samples > 0, "IWAE needs at least one sample")
        let model = pass.model
        let z = model.spec.latent
        let conditional = model.spec.conditionClasses > 0
        var rng = RandomGenerator(seed: seed)
        let imagesPerChunk = max(1, min(64, 2048 / samples))
        let samplesPerPass = max(1, min(samples, 2048 / imagesPerChunk))
        var perImageNLL: [Double] = []
        perImageNLL.reserveCapacity(pass.count)
        var elboTotal = 0.0
        pass.forEachBatch(batchSize: imagesPerChunk) { batch in
            let (mean, logVariance) = (batch.mean, batch.logVariance)
            let b = batch.positions.count
            var logWeights = [[Double]](repeating: [], count: b)
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
                    }
                }
                done += k
            }
            for image in 0..<b {
                perImageNLL.append(-logMeanExp(logWeights[image]))
                elboTotal -= logWeights[image].reduce(0, +) / Double(samples)
            }
            progress?(perImageNLL.count, pass.count)
        }
        let n = Double(max(pass.count, 1))
        let meanNLL = perImageNLL.reduce(0, +) / n
        let variance = perImageNLL.reduce(0) { $0 + ($1 - meanNLL) * ($1 - meanNLL) } / max(n - 1, 1)
        return ImportanceEstimate(nll: meanNLL, standardError: (variance / n).squareRoot(), elboNLL: elboTotal / n,
                                  samples: samples, images: pass.count)
    }

    /// log((1/K) Σ e^{aₖ}), stable for any magnitudes.
    public static func logMeanExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(values.count))
    }
}
