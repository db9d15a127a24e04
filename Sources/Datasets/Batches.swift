import Engine

/// One mini-batch: images `[B, C, H, W]` in [0, 1], their labels, and their positions in the set.
public struct Batch {
    public var images: Tensor
    public let labels: [Int]
    public let positions: [Int]
}

/// Seeded mini-batches over an image set: each epoch is a fresh permutation drawn from the run's
/// generator, cut into batches of `batchSize` (the last, shorter batch is kept).
public struct BatchSchedule {
    public let count: Int
    public let batchSize: Int

    public init(count: Int, batchSize: Int) {
        precondition(batchSize > 0)
        self.count = count
        self.batchSize = batchSize
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { (count + batchSize - 1) / batchSize }

    /// The positions of each batch for one epoch, shuffled with `rng`.
    public func epoch(rng: inout RandomGenerator) -> [[Int]] {
        let order = rng.permutation(count)
        return stride(from: 0, to: count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, count)]) }
    }

    /// The positions in order, cut into batches (for evaluation).
    public func sequential() -> [[Int]] {
        stride(from: 0, to: count, by: batchSize).map { Array($0..<min($0 + batchSize, count)) }
    }
}

extension ImageSet {
    /// The batch at `positions`, binarised as asked.
    public func batch(_ positions: [Int], binarization: Binarization, rng: inout RandomGenerator) -> Batch {
        var images = batch(positions)
        binarization.apply(to: &images, rng: &rng)
        return Batch(images: images, labels: labels(positions), positions: positions)
    }
}
