import Datasets
import Engine
import Foundation
import Models

/// The disentanglement section of an evaluation.
///
/// With known factors, every score of `CodeScores` on the model's posterior, `repeats` times with
/// different evaluation seeds (the scores are the means, their standard deviations the spread):
/// - on a dataset that draws any factor combination (sprites), observations are drawn fresh from
///   the factor space as disentanglement_lib draws them (`generated(trainImages:)`: sizes chosen so a
///   burgess run's metrics take well under a minute on 2 cores; docs/performance.md);
/// - on a file's factors (`dsprites:PATH`), from a pool of `poolSize` seeded training images
///   encoded once (`pooled`: disentanglement_lib's sizes, cheap once the pool is encoded).
/// With labels only (MNIST-format): the latent × label mutual information. Always: the Gaussian
/// total correlation of the test means.
public enum DisentanglementMetrics {
    public static let poolSize = 30_000
    public static let repeats = 3

    /// Sample sizes for fresh observations under the quick protocol (`EvaluationProtocol.quick`):
    /// disentanglement_lib's 10,000 + 5,000 representation points; BetaVAE and FactorVAE on 150
    /// training and 75 evaluation points of 32 observations, FactorVAE's scale from 2,000
    /// (disentanglement_lib: 10,000 and 5,000 points of 64, 2.9 million encodes) — about 39,000
    /// encodes per repeat; burgess's three repeats took 28 s on the 2 shared cores (load 4.5;
    /// docs/performance.md). Scaled down for runs trained on fewer than 10,000 images.
    public static func generated(trainImages: Int) -> CodeScores.Options {
        EvaluationProtocol.quick.options(trainImages: trainImages)
    }

    /// Sample sizes on a pool: disentanglement_lib's (`CodeScores.Options()` defaults).
    public static var pooled: CodeScores.Options { CodeScores.Options() }

    /// The section for `model` on `dataset`; `evaluationProtocol` sets the sample sizes
    /// (`generatedOptions`, which tests make small, overrides them for fresh observations) and
    /// `repeats` the number of evaluation seeds.
    public static func scores(model: VAE, dataset: Dataset, encodedTest: EncodedSet, binarization: Binarization = .none,
                              seed: UInt64, evaluationProtocol: EvaluationProtocol = .quick, generatedOptions: CodeScores.Options? = nil,
                              repeats: Int = repeats) -> DisentanglementScores? {
        let generatedOptions = generatedOptions ?? evaluationProtocol.options(trainImages: dataset.train.count)
        var times = SectionTimes()
        let totalCorrelation = try? InformationScores.gaussianTotalCorrelation(encodedTest.means)
        if let factors = dataset.train.factors {
            let empty = DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: [], factorNames: [],
                                              gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
            guard factors.sizes.contains(where: { $0 > 1 }) else { return empty }
            var cards: [CodeScores.Card] = []
            let generator = GeneratedObservations(model: model, dataset: dataset, binarization: binarization)
            if let generator {
                for r in 0..<repeats {
                    var options = generatedOptions
                    options.seed = seed &+ UInt64(r)
                    var rng = RandomGenerator(seed: options.seed &+ 0xF4E5)
                    let (train, test) = times.measure("encode_representation") {
                        let a = generator.observe(count: options.trainLimit, rng: &rng), b = generator.observe(count: options.testLimit, rng: &rng)
                        return (Observations(encoded: a.encoded, classes: a.classes), Observations(encoded: b.encoded, classes: b.classes))
                    }
                    guard train.encoded.means.scalars.allSatisfy(\.isFinite) else { return empty }
                    options.inactive = Set(LatentUsage.inactive(means: train.encoded.means))
                    cards.append(CodeScores.score(sampler: generator, train: train, test: test, names: factors.names, sampled: true, options: options))
                }
            } else {
                var rng = RandomGenerator(seed: seed &+ 0xD15E)
                let order = rng.permutation(dataset.train.count)
                let pool = ImageSubset(dataset.train, positions: Array(order.prefix(poolSize)))
                let encoded = times.measure("encode_pool") {
                    PosteriorPass(model: model, set: pool, binarization: binarization, seed: seed &+ 0xB1).encode()
                }
                guard pool.count >= CodeScores.minimumRows, encoded.means.scalars.allSatisfy(\.isFinite) else { return empty }
                let classes = (0..<pool.count).flatMap { pool.factorClasses($0) }
                for r in 0..<repeats {
                    var options = pooled
                    options.seed = seed &+ UInt64(r)
                    options.inactive = Set(LatentUsage.inactive(means: encoded.means))
                    cards.append(CodeScores.score(codes: encoded.means, logVariances: encoded.logVariances, factors: classes,
                                                  names: factors.names, options: options))
                }
            }
            return combine(cards, options: generator == nil ? pooled : generatedOptions,
                           totalCorrelation: totalCorrelation, seconds: times.seconds)
        }
        guard dataset.test.classCount > 1 else {
            return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: [], factorNames: [],
                                         gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
        }
        let matrix = InformationScores.mutualInformationMatrix(codes: encodedTest.means, factors: [encodedTest.labels])
        return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: matrix, factorNames: ["label"],
                                     gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
    }

    /// The repeats' cards as one section: each score the mean over the repeats, its sample
    /// standard deviation the spread; the first repeat's matrices; the seconds summed.
    static func combine(_ cards: [CodeScores.Card], options: CodeScores.Options, totalCorrelation: Double?,
                        seconds: [String: Double]) -> DisentanglementScores {
        let first = cards[0]
        var mean: [String: Double] = [:], sd: [String: Double] = [:], sampled: [String: Double] = [:], sampledSD: [String: Double] = [:]
        for key in CodeScores.keys + CodeScores.maskedKeys {
            let values = cards.compactMap { $0.scores[key] }
            guard !values.isEmpty else { continue }
            let s = ScoreDetails.meanAndSpread(values)
            (mean[key], sd[key]) = (s.mean, s.sd)
        }
        for key in CodeScores.representationKeys {
            let values = cards.compactMap { $0.sampledScores?[key] }
            guard !values.isEmpty else { continue }
            let s = ScoreDetails.meanAndSpread(values)
            (sampled[key], sampledSD[key]) = (s.mean, s.sd)
        }
        var accuracies: [String: ClassifierAccuracy] = [:]
        for key in first.accuracies.keys {
            let train = ScoreDetails.meanAndSpread(cards.compactMap { $0.accuracies[key]?.train }).mean
            let evaluation = ScoreDetails.meanAndSpread(cards.compactMap { $0.accuracies[key]?.evaluation }).mean
            accuracies[key] = ClassifierAccuracy(train: train, evaluation: evaluation)
        }
        let sizes = ["representationTrain": first.trainRows, "representationTest": first.testRows,
                     "supervisedTrain": options.supervisedTrainPoints, "supervisedEval": options.supervisedEvalPoints,
                     "supervisedBatch": options.supervisedBatch, "varianceSamples": options.varianceSamples, "bins": options.bins]
        let details = ScoreDetails(source: first.source, repeats: cards.count, sampleSizes: sizes, settings: first.settings, spread: sd,
                                   accuracies: accuracies, sampled: sampled, sampledSpread: sampledSD)
        var times = seconds
        for card in cards { times.merge(card.seconds) { $0 + $1 } }
        let dci = DCIScores.Result(disentanglement: mean["dci_disentanglement"] ?? 0, completeness: mean["dci_completeness"] ?? 0,
                                   informativeness: mean["dci_informativeness"] ?? 0, informativenessTrain: accuracies["dci_informativeness"]?.train ?? 0,
                                   importance: first.dciImportance)
        return DisentanglementScores(betaVAE: mean["beta_vae"], factorVAE: mean["factor_vae"], mig: mean["mig"],
                                     mutualInformation: first.mutualInformation, factorNames: first.factorNames,
                                     gaussianTotalCorrelation: totalCorrelation, seconds: times, sap: mean["sap"], dci: dci,
                                     modularity: mean["modularity"], inactiveLatents: first.inactiveLatents,
                                     factorEntropies: first.factorEntropies, details: details, migMasked: mean["mig_masked"],
                                     modularityMasked: mean["modularity_masked"], evaluationProtocol: options.evaluationProtocol.rawValue,
                                     extendedScores: mean.filter { CodeScores.keyedScores.contains($0.key) })
    }
}
