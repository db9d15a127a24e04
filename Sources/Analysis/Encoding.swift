import Datasets
import Engine
import Models

/// The posterior q(z|x) of every image of a set: means and log-variances `[N, Z]` and labels.
public struct EncodedSet: Sendable {
    public var means: Tensor
    public var logVariances: Tensor
    public var labels: [Int]

    public var count: Int { means.rows }
    public var latent: Int { means.columns }
}

extension VAE {
    /// Encodes the first `limit` images of `set` (all by default), 128 at a time.
    public func encodeAll(_ set: any ImageSet, limit: Int? = nil) -> EncodedSet {
        let count = min(limit ?? set.count, set.count)
        let z = spec.latent
        var means = Tensor(shape: [count, z]), logVariances = Tensor(shape: [count, z])
        var labels: [Int] = []
        labels.reserveCapacity(count)
        for positions in BatchSchedule(count: count, batchSize: 128).sequential() {
            let images = set.batch(positions)
            let batchLabels = set.labels(positions)
            let (mean, logVariance) = encode(images, labels: spec.conditionClasses > 0 ? batchLabels : [])
            let range = (positions[0] * z)..<((positions[0] + positions.count) * z)
            means.scalars.replaceSubrange(range, with: mean.scalars)
            logVariances.scalars.replaceSubrange(range, with: logVariance.scalars)
            labels += batchLabels
        }
        return EncodedSet(means: means, logVariances: logVariances, labels: labels)
    }
}
