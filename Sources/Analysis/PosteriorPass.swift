import Datasets
import Engine
import Models

/// One batch of a posterior pass: the images as the model saw them (binarised as the run trains),
/// their labels and positions, and q(z|x) = N(μ, diag σ²).
///
/// Shapes: `images` `[B, C, H, W]`, `mean` and `logVariance` `[B, Z]`, `labels` `[B]`.
public struct PosteriorBatch {
    public let positions: Range<Int>
    public let images: Tensor
    public let labels: [Int]
    public let mean: Tensor
    public let logVariance: Tensor
}

/// The posterior q(z|x) of every image of a split: means and log-variances `[N, Z]` and labels.
public struct EncodedSet: Sendable {
    public var means: Tensor
    public var logVariances: Tensor
    public var labels: [Int]

    public var count: Int { means.rows }
    public var latent: Int { means.columns }
}

/// What a split costs the model with one z sample per image: the posterior of every image, KL per
/// dimension and the reconstruction term, per-image means in nats.
public struct PosteriorSummary: Sendable {
    public var encoded: EncodedSet
    /// Mean over the images of KL(q(z_j|x) ‖ N(0, 1)), per dimension `[Z]` (0 for an autoencoder).
    public var klPerDimension: [Double]
    /// Mean over the images of −log p(x|z), z = μ + σ·ε with one ε per image (z = μ for an autoencoder).
    public var recon: Double

    public var kl: Double { klPerDimension.reduce(0, +) }
    public var nelbo: Double { recon + kl }
}

/// The one pass over a split's posterior that training's test rows and snapshots, the evaluator,
/// IWAE, latent export, reports and comparisons all share, so they all measure the same images.
///
/// The images are binarised as the run trains, from a generator of their own (`seed`), drawn pixel
/// by pixel in image order: any batch size sees the same binarised images. The noise ε of the
/// one-sample reconstruction term comes from a second generator, so IWAE (which draws its own K
/// samples) and the one-sample summary can walk the same images.
public struct PosteriorPass {
    public let model: VAE
    public let set: any ImageSet
    /// Images in the pass: the first `count` of the set.
    public let count: Int
    public let binarization: Binarization
    public let seed: UInt64

    /// Images per batch of the summary and encoding passes: a convolution's column matrix
    /// (C·k·k × B·L floats) stays small enough for the heap.
    public static let batchSize = 128

    /// The pass over the first `limit` images of `set` (all by default).
    public init(model: VAE, set: any ImageSet, limit: Int? = nil, binarization: Binarization, seed: UInt64) {
        self.model = model
        self.set = set
        self.count = Swift.max(0, Swift.min(limit ?? set.count, set.count))
        self.binarization = binarization
        self.seed = seed
    }

    /// The seeds of the pass that evaluates a run at `epoch`: (binarisation, ε). Derived from the run's
    /// seed and independent of training's generator, so evaluating never moves the training sequence;
    /// training's test rows and `betavae evaluate` use the same, and so measure the same numbers.
    public static func seeds(runSeed: UInt64, epoch: Int) -> (images: UInt64, noise: UInt64) {
        let base = runSeed &* 0x9E37_79B9 &+ UInt64(truncatingIfNeeded: epoch) &* 1_000_003
        return (base &+ 2, base &+ 0x5EED)
    }

    /// Calls `body` with each batch of `batchSize` images, in order.
    public func forEachBatch(batchSize: Int = PosteriorPass.batchSize, _ body: (PosteriorBatch) -> Void) {
        var imageRNG = RandomGenerator(seed: seed)
        let conditional = model.spec.conditionClasses > 0
        for start in stride(from: 0, to: count, by: batchSize) {
            let positions = start..<Swift.min(start + batchSize, count)
            let batch = set.batch(Array(positions), binarization: binarization, rng: &imageRNG)
            let (mean, logVariance) = model.encode(batch.images, labels: conditional ? batch.labels : [])
            body(PosteriorBatch(positions: positions, images: batch.images, labels: batch.labels, mean: mean, logVariance: logVariance))
        }
    }

    /// μ, log σ² and labels of every image (no decoding).
    public func encode() -> EncodedSet {
        var collector = Collector(count: count, latent: model.spec.latent)
        forEachBatch { collector.add($0) }
        return collector.encoded
    }

    /// The posterior with KL per dimension and the one-sample reconstruction term, ε drawn from
    /// `noiseSeed` (z = μ and no KL when `deterministic`, the autoencoder). The terms come from the
    /// training objective's own forward pass (`ObjectiveLoss`), the one owner of R and K.
    public func summary(noiseSeed: UInt64, deterministic: Bool) -> PosteriorSummary {
        let z = model.spec.latent
        var collector = Collector(count: count, latent: z)
        var noise = RandomGenerator(seed: noiseSeed)
        let loss = ObjectiveLoss(objective: deterministic ? .deterministic : .beta(1), likelihood: model.spec.likelihood)
        var reconSum = 0.0
        var klSums = [Double](repeating: 0, count: z)
        let conditional = model.spec.conditionClasses > 0
        forEachBatch { batch in
            collector.add(batch)
            let epsilon = loss.noise(like: batch.mean, rng: &noise)
            let code = loss.code(mean: batch.mean, logVariance: batch.logVariance, noise: epsilon)
            let output = model.decode(code, labels: conditional ? batch.labels : [])
            let terms = loss.forward(output: output, images: batch.images, mean: batch.mean, logVariance: batch.logVariance,
                                     noise: epsilon, step: 0)
            let n = Double(batch.positions.count)
            reconSum += terms.recon * n
            for j in 0..<z { klSums[j] += terms.klPerDimension[j] * n }
        }
        let n = Double(Swift.max(count, 1))
        return PosteriorSummary(encoded: collector.encoded, klPerDimension: klSums.map { $0 / n }, recon: reconSum / n)
    }

    /// Gathers batches into `[N, Z]` tensors.
    private struct Collector {
        var encoded: EncodedSet
        let latent: Int

        init(count: Int, latent: Int) {
            self.latent = latent
            encoded = EncodedSet(means: Tensor(shape: [count, latent]), logVariances: Tensor(shape: [count, latent]), labels: [])
            encoded.labels.reserveCapacity(count)
        }

        mutating func add(_ batch: PosteriorBatch) {
            let range = (batch.positions.lowerBound * latent)..<(batch.positions.upperBound * latent)
            encoded.means.scalars.replaceSubrange(range, with: batch.mean.scalars)
            encoded.logVariances.scalars.replaceSubrange(range, with: batch.logVariance.scalars)
            encoded.labels += batch.labels
        }
    }
}
