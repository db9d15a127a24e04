import Engine
import Foundation

/// A score that is a classifier's accuracy: on the points it was fitted to and on the evaluation
/// points (the score), so an overfitted or underfitted classifier shows.
public struct ClassifierAccuracy: Codable, Equatable, Sendable {
    public var train: Double
    public var evaluation: Double
    public init(train: Double, evaluation: Double) {
        self.train = train
        self.evaluation = evaluation
    }
}

/// The BetaVAE score (Higgins et al. 2017) and the FactorVAE score (Kim & Mnih 2018), as
/// google-research/disentanglement_lib computes them (its defaults: batches of 64, 10,000
/// training points, 5,000 evaluation points; callers state what they use).
public enum SupervisedScores {
    /// BetaVAE score: for a random factor k, the mean |z₁ − z₂| over `batch` pairs of observations
    /// that share factor k (the second drawn with k pinned to the first's class) is one point
    /// labelled k; a multinomial logistic regression (`LogisticRegression`, scikit-learn's
    /// `LogisticRegression()` defaults) predicts k; the score is its accuracy on the evaluation points.
    public static func betaVAE(_ data: some FactorSampler, factors: [Int], trainPoints: Int = 10_000, evalPoints: Int = 5_000,
                               batch: Int = 64, seed: UInt64 = 0) -> ClassifierAccuracy {
        var rng = RandomGenerator(seed: seed)
        let z = data.latent
        func points(_ count: Int) -> (Tensor, [Int]) {
            let labels = (0..<count).map { _ in Int(rng.next() % UInt64(factors.count)) }
            // The pairs of a chunk of points are encoded together (two calls per chunk, not two per
            // point); chunks bound the observations held at once to about `observationBudget`
            // floats: 10,000 points of 64 pairs of a 4,096-latent code would be 10 GB at once.
            var features = Tensor(shape: [count, z])
            for chunk in chunks(count, batch: batch, latent: z) {
                let first = data.observe(count: chunk.count * batch, rng: &rng)
                let requests = (0..<(chunk.count * batch)).map { row -> [Int?] in
                    let k = factors[labels[chunk.lowerBound + row / batch]]
                    return (0..<data.factorCount).map { $0 == k ? first.classes[row * data.factorCount + k] : nil }
                }
                let second = data.observe(requests, rng: &rng)
                let part = betaVAEFeatures(first: first.encoded.means.scalars, second: second.encoded.means.scalars, latent: z, batch: batch)
                for i in 0..<(chunk.count * z) { features[chunk.lowerBound * z + i] = part[i] }
            }
            return (features, labels)
        }
        let (trainX, trainY) = points(trainPoints)
        let (evalX, evalY) = points(evalPoints)
        return betaVAE(trainFeatures: trainX, trainLabels: trainY, evalFeatures: evalX, evalLabels: evalY)
    }

    /// The BetaVAE points of given pairs: `first` and `second` are `[P·batch, Z]` codes, pair r
    /// belonging to point r / batch; point p's feature is (1/batch) Σ_r |z₁ − z₂| over its pairs,
    /// `[P, Z]` (disentanglement_lib's `np.mean(np.abs(z1 − z2), axis=0)`).
    public static func betaVAEFeatures(first: [Float], second: [Float], latent z: Int, batch: Int) -> Tensor {
        precondition(first.count == second.count && batch > 0 && first.count % (batch * z) == 0, "pairs are [P·batch, Z]")
        let count = first.count / (batch * z)
        var features = Tensor(shape: [count, z])
        for row in 0..<(count * batch) {
            for j in 0..<z {
                features[(row / batch) * z + j] += abs(first[row * z + j] - second[row * z + j]) / Float(batch)
            }
        }
        return features
    }

    /// The BetaVAE score of given points `[P, Z]` labelled with the index of the factor their
    /// pairs share: a `LogisticRegression` fitted to the training points, its accuracy on them
    /// (train) and on the evaluation points (the score).
    public static func betaVAE(trainFeatures: Tensor, trainLabels: [Int], evalFeatures: Tensor, evalLabels: [Int]) -> ClassifierAccuracy {
        let classifier = LogisticRegression(features: trainFeatures, labels: trainLabels)
        return ClassifierAccuracy(train: classifier.accuracy(trainFeatures, trainLabels), evaluation: classifier.accuracy(evalFeatures, evalLabels))
    }

    /// FactorVAE score: latents are divided by their standard deviation over `varianceSamples`
    /// observations and those with std < 0.05 are pruned; for a random factor k, `batch`
    /// observations sharing a random class of k vote for the latent of least normalised variance;
    /// a majority-vote classifier maps latents to factors; the score is its accuracy on the
    /// evaluation votes.
    public static func factorVAE(_ data: some FactorSampler, factors: [Int], trainPoints: Int = 10_000, evalPoints: Int = 5_000,
                                 batch: Int = 64, varianceSamples: Int = 10_000, seed: UInt64 = 0) -> ClassifierAccuracy {
        var rng = RandomGenerator(seed: seed &+ 1)
        let z = data.latent
        let scale = factorVAEScale(data.observe(count: varianceSamples, rng: &rng).encoded.means.scalars, latent: z)
        guard scale.contains(where: { $0 >= factorVAEPruneBelow }) else { return ClassifierAccuracy(train: 0, evaluation: 0) }
        func votes(_ count: Int) -> [(latent: Int, factor: Int)] {
            let labels = (0..<count).map { _ in Int(rng.next() % UInt64(factors.count)) }
            let values = labels.map { data.randomValue(factor: factors[$0], &rng) }
            let requests = (0..<(count * batch)).map { row -> [Int?] in
                let k = factors[labels[row / batch]]
                return (0..<data.factorCount).map { $0 == k ? values[row / batch] : nil }
            }
            // A chunk of votes' observations at a time (see `chunks`).
            return chunks(count, batch: batch, latent: z).flatMap { chunk in
                let codes = data.observe(Array(requests[(chunk.lowerBound * batch)..<(chunk.upperBound * batch)]), rng: &rng).encoded.means.scalars
                return chunk.map { point in
                    let start = (point - chunk.lowerBound) * batch * z
                    return (factorVAEVote(Array(codes[start..<(start + batch * z)]), scale: scale, latent: z), labels[point])
                }
            }
        }
        let train = votes(trainPoints)
        return factorVAE(trainVotes: train, evalVotes: votes(evalPoints), latent: z, factors: factors.count)
    }

    /// Latents whose standard deviation over the variance sample is below this are pruned
    /// (disentanglement_lib's `prune_dims` threshold).
    public static let factorVAEPruneBelow = 0.05

    /// Each latent's standard deviation (n − 1, numpy's `ddof=1`) over `codes` `[N, Z]`.
    public static func factorVAEScale(_ codes: [Float], latent z: Int) -> [Double] {
        let n = codes.count / max(z, 1)
        var sums = [Double](repeating: 0, count: z), squares = [Double](repeating: 0, count: z)
        for row in 0..<n {
            for j in 0..<z {
                let v = Double(codes[row * z + j])
                sums[j] += v
                squares[j] += v * v
            }
        }
        let m = Double(n)
        return (0..<z).map { j in max(0, (squares[j] - sums[j] * sums[j] / m) / max(m - 1, 1)).squareRoot() }
    }

    /// One FactorVAE vote: the latent (an index among all Z) whose variance (n − 1) over the batch
    /// `[batch, Z]`, divided by its global variance scale², is least among the latents not pruned;
    /// the first of equal ones (numpy's argmin).
    public static func factorVAEVote(_ batch: [Float], scale: [Double], latent z: Int) -> Int {
        let local = factorVAEScale(batch, latent: z)
        var best = -1, bestValue = Double.infinity
        for j in 0..<z where scale[j] >= factorVAEPruneBelow {
            let value = local[j] * local[j] / (scale[j] * scale[j])
            if value < bestValue { (best, bestValue) = (j, value) }
        }
        return max(best, 0)
    }

    /// The majority-vote classifier of given votes: each latent predicts the factor it was most
    /// often chosen for in `trainVotes` (the lowest factor index of equal counts, numpy's argmax);
    /// accuracy on the training votes and on `evalVotes` (the score).
    public static func factorVAE(trainVotes: [(latent: Int, factor: Int)], evalVotes: [(latent: Int, factor: Int)], latent z: Int,
                                 factors: Int) -> ClassifierAccuracy {
        var table = [[Int]](repeating: [Int](repeating: 0, count: factors), count: z)
        for vote in trainVotes { table[vote.latent][vote.factor] += 1 }
        let prediction = table.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
        func accuracy(_ votes: [(latent: Int, factor: Int)]) -> Double {
            Double(votes.filter { prediction[$0.latent] == $0.factor }.count) / Double(max(votes.count, 1))
        }
        return ClassifierAccuracy(train: accuracy(trainVotes), evaluation: accuracy(evalVotes))
    }
}

extension SupervisedScores {
    /// Most code floats one chunk of BetaVAE pairs or FactorVAE votes holds (16 M floats, 64 MB,
    /// per set of observations): at least one point per chunk.
    static let observationBudget = 16 << 20

    /// 0..<count in consecutive ranges of points whose `batch` observations of `latent` floats fit
    /// `observationBudget`.
    static func chunks(_ count: Int, batch: Int, latent: Int) -> [Range<Int>] {
        let size = max(1, observationBudget / max(batch * latent, 1))
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }
}
