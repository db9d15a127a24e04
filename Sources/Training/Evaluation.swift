import Datasets
import Engine
import Models

/// Per-image means over a whole split, with one z sample per image (as the PyTorch and JAX
/// anchors evaluate), and the posterior means of every image.
public struct SplitEvaluation: Sendable {
    public var recon: Double
    public var kl: Double
    public var klPerDimension: [Double]
    /// Posterior means `[N, Z]`.
    public var means: Tensor
    public var labels: [Int]
}

extension VAE {
    /// Images per evaluation batch: 128 keeps a convolution's column matrix (C·k·k × N·L floats)
    /// small enough to stay in the heap.
    public var evaluationBatchSize: Int { 128 }

    /// Evaluates the first `limit` images of `set` (all by default) in batches of 128.
    ///
    /// The noise comes from `rng`, a generator of its own, so evaluating never moves the training
    /// sequence. Binarisation is applied as in training.
    public func evaluate(_ set: any ImageSet, limit: Int? = nil, binarization: Binarization, deterministic: Bool,
                         conditional: Bool, rng: inout RandomGenerator) -> SplitEvaluation {
        let count = min(limit ?? set.count, set.count)
        let z = spec.latent
        var reconSum = 0.0
        var klSums = [Double](repeating: 0, count: z)
        var means = Tensor(shape: [count, z])
        var labels: [Int] = []
        labels.reserveCapacity(count)
        for positions in BatchSchedule(count: count, batchSize: evaluationBatchSize).sequential() {
            let batch = set.batch(positions, binarization: binarization, rng: &rng)
            let result = evaluate(images: batch.images, labels: conditional ? batch.labels : [], deterministic: deterministic, rng: &rng)
            reconSum += result.recon.reduce(0.0) { $0 + Double($1) }
            for row in 0..<positions.count {
                for j in 0..<z { klSums[j] += Double(result.klPerElement[row * z + j]) }
            }
            means.scalars.replaceSubrange((positions[0] * z)..<((positions[0] + positions.count) * z), with: result.mean.scalars)
            labels += batch.labels
        }
        let klPerDimension = klSums.map { $0 / Double(max(count, 1)) }
        return SplitEvaluation(recon: reconSum / Double(max(count, 1)), kl: klPerDimension.reduce(0, +),
                               klPerDimension: klPerDimension, means: means, labels: labels)
    }
}
