import Datasets
import Engine
import Foundation
import Models

/// What an evaluation was made from. A saved evaluation is reused only when every field matches
/// what the reader would compute: another epoch, checkpoint, test split, K, binarisation, seed or
/// tool version means other numbers.
public struct EvaluationKey: Codable, Equatable, Sendable {
    public var epoch: Int
    /// The optimiser step of the checkpoint evaluated (two checkpoints of one epoch differ in it).
    public var step: Int
    /// Test images evaluated (the first N of the run's test split).
    public var testImages: Int
    /// Importance samples K of the IWAE bound.
    public var iwaeSamples: Int
    /// Test images of the IWAE bound (the first N of those evaluated); `testImages` in evaluations
    /// saved before it was recorded, which computed the bound on every test image.
    public var iwaeImages: Int
    public var binarization: String
    /// The run's seed, from which the evaluation's images and noise are derived.
    public var seed: UInt64
    public var toolVersion: String
    /// The disentanglement scores' sample sizes (`EvaluationProtocol` raw value); "quick" in
    /// evaluations saved before it was recorded, which all used the quick sizes.
    public var evaluationProtocol: String

    public init(epoch: Int, step: Int, testImages: Int, iwaeSamples: Int, iwaeImages: Int? = nil, binarization: String, seed: UInt64,
                toolVersion: String, evaluationProtocol: String = EvaluationProtocol.quick.rawValue) {
        self.epoch = epoch
        self.step = step
        self.testImages = testImages
        self.iwaeSamples = iwaeSamples
        self.iwaeImages = min(iwaeImages ?? testImages, testImages)
        self.binarization = binarization
        self.seed = seed
        self.toolVersion = toolVersion
        self.evaluationProtocol = evaluationProtocol
    }

    private enum CodingKeys: String, CodingKey {
        case epoch, step, testImages, iwaeSamples, iwaeImages, binarization, seed, toolVersion, evaluationProtocol
    }

    /// Reads the key as saved; a missing `iwaeImages` is `testImages` (see there). `problem` checks the counts.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epoch: try c.decode(Int.self, forKey: .epoch), step: try c.decode(Int.self, forKey: .step),
                  testImages: try c.decode(Int.self, forKey: .testImages), iwaeSamples: try c.decode(Int.self, forKey: .iwaeSamples),
                  binarization: try c.decode(String.self, forKey: .binarization), seed: try c.decode(UInt64.self, forKey: .seed),
                  toolVersion: try c.decode(String.self, forKey: .toolVersion))
        iwaeImages = try c.decodeIfPresent(Int.self, forKey: .iwaeImages) ?? testImages
        evaluationProtocol = try c.decodeIfPresent(String.self, forKey: .evaluationProtocol) ?? EvaluationProtocol.quick.rawValue
    }
}

/// Every number `betavae evaluate` reports for one checkpoint; saved as RUN/evaluation.json with
/// the key that made it, so reports reuse it only when it answers their question.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public var key: EvaluationKey
    public var epoch: Int { key.epoch }
    /// Test-split likelihood: the one-sample terms of the posterior pass (metrics.csv's test row of
    /// the epoch) and the IWAE bound, per image in nats.
    public var test: LikelihoodEstimate
    /// The training objective's value on the test split (recon + β·KL, or the capacity form).
    public var objective: Double
    /// The objective's own terms on the test split by metrics.csv's column name (β-TCVAE's mi, tc,
    /// dimwise_kl; FactorVAE's tc and discriminator accuracy and loss; DIP-VAE's penalties), taken
    /// from the epoch's test row; nil for β, capacity and the autoencoder (and in older files).
    public var objectiveTerms: [String: Double]? = nil
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

/// Computes an `EvaluationResult` from a model and its dataset.
public enum Evaluator {
    public struct Options: Sendable {
        public var iwaeSamples = 1000
        /// IWAE over the first N evaluated test images (nil: all).
        public var iwaeImages: Int?
        public var testLimit: Int?
        public var knnTrainLimit: Int? = nil
        public var binarization: Binarization = .none
        /// The run's seed.
        public var seed: UInt64 = 0
        public var objective: Objective = .beta(1)
        /// The checkpoint's epoch and optimiser step.
        public var epoch = 0
        public var step = 0
        public var toolVersion = ""
        public var disentanglement = true
        /// The disentanglement scores' sample sizes.
        public var evaluationProtocol: EvaluationProtocol = .quick
        /// Called as the IWAE estimate progresses (images done, images in all).
        public var progress: (@Sendable (Int, Int) -> Void)?
        public init() {}

        /// The key of the evaluation these options make on a test split of `testCount` images.
        public func key(testCount: Int) -> EvaluationKey {
            EvaluationKey(epoch: epoch, step: step, testImages: min(testLimit ?? testCount, testCount), iwaeSamples: iwaeSamples,
                          iwaeImages: iwaeImages, binarization: binarization.rawValue, seed: seed, toolVersion: toolVersion,
                          evaluationProtocol: evaluationProtocol.rawValue)
        }
    }

    /// The test split's posterior pass of `epoch` (the one training's test row uses).
    public static func testPass(model: VAE, dataset: Dataset, options: Options) -> PosteriorPass {
        PosteriorPass(model: model, set: dataset.test, limit: options.testLimit, binarization: options.binarization,
                      seed: PosteriorPass.seeds(runSeed: options.seed, epoch: options.epoch).images)
    }

    /// Evaluates `model` on `dataset` as `options` say.
    public static func evaluate(model: VAE, dataset: Dataset, options: Options) -> EvaluationResult {
        var times = SectionTimes()
        let seeds = PosteriorPass.seeds(runSeed: options.seed, epoch: options.epoch)
        let pass = testPass(model: model, dataset: dataset, options: options)
        let summary = times.measure("posterior") { pass.summary(noiseSeed: seeds.noise, deterministic: options.objective == .deterministic) }
        // The first iwaeImages of the same pass: binarised images are drawn in image order, so they are the same images.
        let iwaePass = PosteriorPass(model: model, set: dataset.test, limit: options.key(testCount: dataset.test.count).iwaeImages,
                                     binarization: options.binarization, seed: pass.seed)
        let iwae = times.measure("iwae") {
            HeldOutLikelihood.estimate(pass: iwaePass, samples: options.iwaeSamples, seed: seeds.noise &+ 1, progress: options.progress)
        }
        let encodedTest = summary.encoded
        let usage = LatentUsage(means: encodedTest.means, klPerDimension: summary.klPerDimension)
        var knn: Double?, chance: Double?
        if dataset.train.classCount > 1 {
            let encodedTrain = times.measure("encode_train") {
                PosteriorPass(model: model, set: dataset.train, limit: options.knnTrainLimit, binarization: options.binarization,
                              seed: seeds.images &+ 1).encode()
            }
            knn = times.measure("knn") {
                NearestNeighbours.accuracy(trainMeans: encodedTrain.means, trainLabels: encodedTrain.labels,
                                           testMeans: encodedTest.means, testLabels: encodedTest.labels)
            }
            var counts: [Int: Int] = [:]
            for label in encodedTest.labels { counts[label, default: 0] += 1 }
            chance = Double(counts.values.max() ?? 0) / Double(max(encodedTest.count, 1))
        }
        var scores: DisentanglementScores?
        if options.disentanglement {
            scores = times.measure("disentanglement") {
                DisentanglementMetrics.scores(model: model, dataset: dataset, encodedTest: encodedTest,
                                              binarization: options.binarization, seed: options.seed,
                                              evaluationProtocol: options.evaluationProtocol)
            }
        }
        let test = LikelihoodEstimate(nelbo: summary.nelbo, recon: summary.recon, kl: summary.kl, iwaeNLL: iwae.nll,
                                      iwaeStandardError: iwae.standardError, samples: iwae.samples, images: iwae.images,
                                      iwaeELBO: iwae.elboNLL)
        return EvaluationResult(key: options.key(testCount: dataset.test.count), test: test,
                                objective: options.objective.value(recon: summary.recon, kl: summary.kl, step: options.step),
                                usage: usage, knnAccuracy: knn, knnChance: chance, disentanglement: scores, seconds: times.seconds)
    }
}
