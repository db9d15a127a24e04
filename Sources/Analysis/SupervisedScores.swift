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
    /// labelled k; a multinomial logistic regression predicts k; the score is its accuracy on the
    /// evaluation points.
    public static func betaVAE(_ data: some FactorSampler, factors: [Int], trainPoints: Int = 10_000, evalPoints: Int = 5_000,
                               batch: Int = 64, seed: UInt64 = 0) -> ClassifierAccuracy {
        var rng = RandomGenerator(seed: seed)
        let z = data.latent
        func points(_ count: Int) -> (Tensor, [Int]) {
            let labels = (0..<count).map { _ in Int(rng.next() % UInt64(factors.count)) }
            var features = Tensor(shape: [count, z])
            // The pairs of a chunk of points are encoded together (two calls per chunk, not two per
            // point); chunks bound the observations held at once to about `observationBudget`
            // floats: 10,000 points of 64 pairs of a 4,096-latent code would be 10 GB at once.
            for chunk in chunks(count, batch: batch, latent: z) {
                let first = data.observe(count: chunk.count * batch, rng: &rng)
                let requests = (0..<(chunk.count * batch)).map { row -> [Int?] in
                    let k = factors[labels[chunk.lowerBound + row / batch]]
                    return (0..<data.factorCount).map { $0 == k ? first.classes[row * data.factorCount + k] : nil }
                }
                let second = data.observe(requests, rng: &rng)
                for row in 0..<(chunk.count * batch) {
                    let point = chunk.lowerBound + row / batch
                    for j in 0..<z {
                        features[point * z + j] += abs(first.encoded.means[row * z + j] - second.encoded.means[row * z + j]) / Float(batch)
                    }
                }
            }
            return (features, labels)
        }
        let (trainX, trainY) = points(trainPoints)
        let (evalX, evalY) = points(evalPoints)
        let classifier = LogisticRegression(features: trainX, labels: trainY, classes: factors.count, seed: seed)
        return ClassifierAccuracy(train: classifier.accuracy(trainX, trainY), evaluation: classifier.accuracy(evalX, evalY))
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
        let sample = data.observe(count: varianceSamples, rng: &rng).encoded.means
        var sums = [Double](repeating: 0, count: z), squares = [Double](repeating: 0, count: z)
        for row in 0..<varianceSamples {
            for j in 0..<z {
                let v = Double(sample[row * z + j])
                sums[j] += v
                squares[j] += v * v
            }
        }
        let n = Double(varianceSamples)
        let scale = (0..<z).map { ((squares[$0] / n - (sums[$0] / n) * (sums[$0] / n)) * n / max(n - 1, 1)).squareRoot() }
        let active = (0..<z).filter { scale[$0] >= 0.05 }
        guard !active.isEmpty else { return ClassifierAccuracy(train: 0, evaluation: 0) }
        func votes(_ count: Int) -> [(latent: Int, factor: Int)] {
            let labels = (0..<count).map { _ in Int(rng.next() % UInt64(factors.count)) }
            let values = labels.map { data.randomValue(factor: factors[$0], &rng) }
            let requests = (0..<(count * batch)).map { row -> [Int?] in
                let k = factors[labels[row / batch]]
                return (0..<data.factorCount).map { $0 == k ? values[row / batch] : nil }
            }
            // A chunk of votes' observations at a time (see `chunks`).
            return chunks(count, batch: batch, latent: z).flatMap { chunk in
                let codes = data.observe(Array(requests[(chunk.lowerBound * batch)..<(chunk.upperBound * batch)]), rng: &rng).encoded.means
                return chunk.map { point in
                    var batchSums = [Double](repeating: 0, count: z), batchSquares = [Double](repeating: 0, count: z)
                    for row in ((point - chunk.lowerBound) * batch)..<((point - chunk.lowerBound + 1) * batch) {
                        for j in active {
                            let v = Double(codes[row * z + j]) / scale[j]
                            batchSums[j] += v
                            batchSquares[j] += v * v
                        }
                    }
                    let m = Double(batch)
                    let variances = active.map { (batchSquares[$0] - batchSums[$0] * batchSums[$0] / m) / max(m - 1, 1) }
                    let best = variances.indices.min { variances[$0] < variances[$1] } ?? 0
                    return (active[best], labels[point])
                }
            }
        }
        let train = votes(trainPoints)
        // Majority vote: each latent predicts the factor it was most often chosen for.
        var table = [[Int]](repeating: [Int](repeating: 0, count: factors.count), count: z)
        for vote in train { table[vote.latent][vote.factor] += 1 }
        let prediction = table.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
        func accuracy(_ votes: [(latent: Int, factor: Int)]) -> Double {
            Double(votes.filter { prediction[$0.latent] == $0.factor }.count) / Double(max(votes.count, 1))
        }
        return ClassifierAccuracy(train: accuracy(train), evaluation: accuracy(votes(evalPoints)))
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

/// Multinomial logistic regression on the engine: a Linear layer with softmax cross-entropy and an
/// L2 penalty ½‖W‖²/N (scikit-learn's default C = 1), fitted full-batch with Adam until the loss
/// changes by less than 1e-7 or `maximumSteps` (3,000) steps.
public struct LogisticRegression {
    let layer: Linear

    public init(features: Tensor, labels: [Int], classes: Int, seed: UInt64 = 0, maximumSteps: Int = 3000) {
        var rng = RandomGenerator(seed: seed)
        layer = Linear(features.columns, classes, rng: &rng)
        // Only the weights learn: the [N, D] input gradient would be one more product and 160 MB
        // per step for 10,000 points of a 4,096-latent code.
        layer.needsInputGradient = false
        let adam = Adam(parameters: [layer.weight, layer.bias], learningRate: 0.05)
        let n = Float(features.rows)
        var previous = Double.infinity
        for _ in 0..<maximumSteps {
            layer.weight.zeroGradient()
            layer.bias.zeroGradient()
            let (perRow, gradient) = Losses.softmaxCrossEntropy(logits: layer.forward(features), labels: labels, gradientScale: 1 / n)
            _ = layer.backward(gradient ?? Tensor(shape: [0]))
            var penalty = 0.0
            for i in 0..<layer.weight.value.count {
                let w = layer.weight.value[i]
                layer.weight.gradient[i] += w / n
                penalty += Double(w * w)
            }
            let loss = perRow.reduce(0.0) { $0 + Double($1) } / Double(n) + 0.5 * penalty / Double(n)
            adam.update()
            if abs(previous - loss) < 1e-7 { break }
            previous = loss
        }
    }

    /// The predicted class of each row of `features`.
    public func predict(_ features: Tensor) -> [Int] {
        let logits = layer.forward(features)
        let k = logits.columns
        return (0..<logits.rows).map { row in (0..<k).max { logits[row * k + $0] < logits[row * k + $1] } ?? 0 }
    }

    public func accuracy(_ features: Tensor, _ labels: [Int]) -> Double {
        Double(zip(predict(features), labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
