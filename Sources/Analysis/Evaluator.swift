import Datasets
import Engine
import Foundation
import Models

/// Every number `betavae evaluate` reports for one checkpoint; saved as RUN/evaluation.json so
/// reports reuse it instead of recomputing.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Test-split held-out likelihood (β = 1 ELBO and IWAE), per image in nats.
    public var test: LikelihoodEstimate
    /// The training objective's value on the test split (recon + β·KL, or the capacity form).
    public var objective: Double
    public var usage: LatentUsage
    /// Accuracy of 5-NN from training means to test labels, and chance (the largest class share).
    public var knnAccuracy: Double?
    public var knnChance: Double?
    /// Disentanglement scores, when the dataset has factors (or labels).
    public var disentanglement: DisentanglementScores?
    /// Seconds each part took.
    public var seconds: [String: Double]

    public var collapseWarning: Bool { usage.collapsed }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }
}

/// The disentanglement section of an evaluation (filled in by the metrics of DisentanglementMetrics).
public struct DisentanglementScores: Codable, Equatable, Sendable {
    public var betaVAE: Double?
    public var factorVAE: Double?
    public var mig: Double?
    /// Mutual information (nats) of each latent dimension with each factor: mutualInformation[j][f].
    public var mutualInformation: [[Double]]
    public var factorNames: [String]
    /// Gaussian total correlation of the aggregate posterior (nats).
    public var gaussianTotalCorrelation: Double?
    public var seconds: [String: Double]

    public init(betaVAE: Double?, factorVAE: Double?, mig: Double?, mutualInformation: [[Double]], factorNames: [String],
                gaussianTotalCorrelation: Double?, seconds: [String: Double]) {
        self.betaVAE = betaVAE
        self.factorVAE = factorVAE
        self.mig = mig
        self.mutualInformation = mutualInformation
        self.factorNames = factorNames
        self.gaussianTotalCorrelation = gaussianTotalCorrelation
        self.seconds = seconds
    }
}

/// Computes an `EvaluationResult` from a model and its dataset.
public enum Evaluator {
    public struct Options: Sendable {
        public var iwaeSamples = 1000
        public var testLimit: Int?
        public var knnTrainLimit: Int? = nil
        public var binarization: Binarization = .none
        public var seed: UInt64 = 0
        public var disentanglement = true
        /// Called as the IWAE estimate progresses (images done, images in all).
        public var progress: (@Sendable (Int, Int) -> Void)?
        public init() {}
    }

    /// Everything but the objective's value, which needs the objective (`objective(recon:kl:)`).
    public static func evaluate(model: VAE, dataset: Dataset, epoch: Int, options: Options,
                                objective: (_ recon: Double, _ kl: Double) -> Double) -> EvaluationResult {
        var seconds: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () -> T) -> T {
            let start = Date()
            let value = body()
            seconds[name] = Date().timeIntervalSince(start)
            return value
        }
        let test = timed("iwae") {
            HeldOutLikelihood.estimate(model: model, set: dataset.test, samples: options.iwaeSamples, limit: options.testLimit,
                                       binarization: options.binarization, seed: options.seed, progress: options.progress)
        }
        let encodedTest = timed("encode_test") { model.encodeAll(dataset.test, limit: options.testLimit) }
        let usage = LatentUsage(means: encodedTest.means, logVariances: encodedTest.logVariances)
        var knn: Double?, chance: Double?
        if dataset.train.classCount > 1 {
            let encodedTrain = timed("encode_train") { model.encodeAll(dataset.train, limit: options.knnTrainLimit) }
            knn = timed("knn") {
                NearestNeighbours.accuracy(trainMeans: encodedTrain.means, trainLabels: encodedTrain.labels,
                                           testMeans: encodedTest.means, testLabels: encodedTest.labels)
            }
            var counts: [Int: Int] = [:]
            for label in encodedTest.labels { counts[label, default: 0] += 1 }
            chance = Double(counts.values.max() ?? 0) / Double(max(encodedTest.count, 1))
        }
        var scores: DisentanglementScores?
        if options.disentanglement {
            scores = timed("disentanglement") {
                DisentanglementMetrics.scores(model: model, dataset: dataset, encodedTest: encodedTest, seed: options.seed)
            }
        }
        return EvaluationResult(epoch: epoch, test: test, objective: objective(test.recon, test.kl), usage: usage, knnAccuracy: knn,
                                knnChance: chance, disentanglement: scores, seconds: seconds)
    }
}
