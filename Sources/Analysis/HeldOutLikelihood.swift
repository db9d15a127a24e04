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
    /// Images of the IWAE bound (the first of the test images; the one-sample terms use them all).
    public var images: Int
    /// −ELBO as the mean of the K log weights, on the IWAE's own images (absent from evaluations
    /// saved before it was recorded).
    public var iwaeELBO: Double?

    /// How much tighter the IWAE bound is than the ELBO, on the same images.
    public var iwaeGap: Double { (iwaeELBO ?? nelbo) - iwaeNLL }
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
    /// Bytes one batched decode may hold (`VAE.decodeFloatsPerCode` per row): the estimate's memory
    /// stays near this whatever K and the model (burgess: 1.7 MB per code, so 157 codes a decode).
    public static let memoryBudget = 256 << 20

    /// How the K samples of each image are grouped into decoder batches: `imagesPerGroup` images
    /// with all their K samples in one batch when K fits the budget, else one image at a time in
    /// batches of `samplesPerDecode`.
    public struct Batching: Equatable, Sendable {
        public var imagesPerGroup: Int
        public var samplesPerDecode: Int
        public var rowsPerDecode: Int { imagesPerGroup * samplesPerDecode }

        /// Groups for K = `samples` when one code needs `floatsPerCode` floats and a decode `budget` bytes.
        public init(samples: Int, floatsPerCode: Int, budget: Int) {
            let rows = max(1, budget / max(1, 4 * floatsPerCode))
            imagesPerGroup = samples <= rows ? max(1, min(PosteriorPass.batchSize, rows / samples)) : 1
            samplesPerDecode = min(samples, rows)
        }
    }

    /// Estimates over the images of `pass` with `samples` = K per image (ε from `seed`). The codes
    /// of an image group are decoded as one batch (one gemm per layer, not K small ones), sized by
    /// `Batching` to `memoryBudget`. ε is drawn image by image, sample by sample, so the estimate
    /// does not depend on the batching. `progress(done, total)` follows each group of images.
    public static func estimate(pass: PosteriorPass, samples: Int, seed: UInt64, memoryBudget: Int = memoryBudget,
                                progress: ((Int, Int) -> Void)? = nil) -> ImportanceEstimate {
        precondition(samples > 0, "IWAE needs at least one sample")
        let model = pass.model
        let batching = Batching(samples: samples, floatsPerCode: model.decodeFloatsPerCode, budget: memoryBudget)
        var rng = RandomGenerator(seed: seed)
        var perImageNLL: [Double] = []
        perImageNLL.reserveCapacity(pass.count)
        var elboTotal = 0.0
        progress?(0, pass.count)
        pass.forEachBatch(batchSize: batching.imagesPerGroup) { batch in
            let b = batch.positions.count
            var logWeights = [[Double]](repeating: [], count: b)
            // One decode for the whole group when K fits; otherwise the group is one image whose
            // samples take several decodes. Either way ε is drawn image by image, sample by sample.
            for done in stride(from: 0, to: samples, by: batching.samplesPerDecode) {
                let k = min(batching.samplesPerDecode, samples - done)
                let weights = Self.logWeights(model: model, batch: batch, samples: k, rng: &rng)
                for image in 0..<b { logWeights[image] += weights[(image * k)..<((image + 1) * k)] }
            }
            for weights in logWeights {
                perImageNLL.append(-logMeanExp(weights))
                elboTotal -= weights.reduce(0, +) / Double(samples)
            }
            progress?(perImageNLL.count, pass.count)
        }
        let n = Double(max(pass.count, 1))
        let meanNLL = perImageNLL.reduce(0, +) / n
        let variance = perImageNLL.reduce(0) { $0 + ($1 - meanNLL) * ($1 - meanNLL) } / max(n - 1, 1)
        return ImportanceEstimate(nll: meanNLL, standardError: (variance / n).squareRoot(), elboNLL: elboTotal / n,
                                  samples: samples, images: pass.count)
    }

    /// log p(x|zₖ) + log p(zₖ) − log q(zₖ|x) for `samples` codes of each image of `batch`, decoded as
    /// one batch `[B·samples, Z]`; the result is image-major (`[B·samples]`).
    static func logWeights(model: VAE, batch: PosteriorBatch, samples k: Int, rng: inout RandomGenerator) -> [Double] {
        let (b, z) = (batch.positions.count, batch.mean.columns)
        let rows = b * k, size = batch.images.columns
        var codes = Tensor(shape: [rows, z])
        var logRatio = [Double](repeating: 0, count: rows)
        var targets = Tensor(shape: [rows] + Array(batch.images.shape.dropFirst()))
        let conditional = model.spec.conditionClasses > 0
        var rowLabels: [Int] = []
        for image in 0..<b {
            for sample in 0..<k {
                let row = image * k + sample
                var ratio = 0.0
                for j in 0..<z {
                    let eps = rng.normal()
                    let lv = batch.logVariance[image * z + j]
                    let value = batch.mean[image * z + j] + Foundation.exp(0.5 * lv) * eps
                    codes[row * z + j] = value
                    ratio += 0.5 * Double(eps * eps - value * value + lv)
                }
                logRatio[row] = ratio
                targets.scalars.replaceSubrange((row * size)..<((row + 1) * size),
                                                with: batch.images.scalars[(image * size)..<((image + 1) * size)])
            }
            if conditional { rowLabels += Array(repeating: batch.labels[image], count: k) }
        }
        let output = model.decode(codes, labels: rowLabels)
        let (nll, _) = model.spec.likelihood.negativeLogLikelihood(output: output, images: targets, gradientScale: nil)
        return (0..<rows).map { -Double(nll[$0]) + logRatio[$0] }
    }

    /// log((1/K) Σ e^{aₖ}), stable for any magnitudes.
    public static func logMeanExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(values.count))
    }
}
