import Datasets
import Engine
import Foundation
import Models

/// The disentanglement section of an evaluation.
///
/// With known factors (`sprites`, `dsprites:PATH`): BetaVAE, FactorVAE, MIG, SAP, DCI and modularity on posterior means of
/// a pool of 30,000 seeded training images, from which every batch that shares a factor's value is
/// drawn (one encoding pass instead of one per batch), plus the latent × factor mutual information.
/// With labels only (MNIST-format): the latent × label mutual information. Always: the Gaussian
/// total correlation of the test means.
public enum DisentanglementMetrics {
    public static let poolSize = 30_000

    public static func scores(model: VAE, dataset: Dataset, encodedTest: EncodedSet, binarization: Binarization = .none,
                              seed: UInt64) -> DisentanglementScores? {
        var times = SectionTimes()
        let totalCorrelation = try? InformationScores.gaussianTotalCorrelation(encodedTest.means)
        if let factors = dataset.train.factors {
            var rng = RandomGenerator(seed: seed &+ 0xD15E)
            let order = rng.permutation(dataset.train.count)
            let pool = ImageSubset(dataset.train, positions: Array(order.prefix(poolSize)))
            let encoded = times.measure("encode_pool") {
                PosteriorPass(model: model, set: pool, binarization: binarization, seed: seed &+ 0xB1).encode()
            }
            let classes = (0..<pool.count).flatMap { pool.factorClasses($0) }
            // The pool's codes are scored as `betavae score` scores any codes: one owner of the metrics.
            guard pool.count >= CodeScores.minimumRows, factors.sizes.contains(where: { $0 > 1 }),
                  encoded.means.scalars.allSatisfy(\.isFinite) else {
                return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: [], factorNames: [],
                                             gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
            }
            var options = CodeScores.Options()
            options.seed = seed
            options.inactive = Set(LatentUsage.inactive(means: encoded.means))
            let card = CodeScores.score(codes: encoded.means, factors: classes, names: factors.names, options: options)
            let dci = DCIScores.Result(disentanglement: card.scores["dci_disentanglement"] ?? 0, completeness: card.scores["dci_completeness"] ?? 0,
                                       informativeness: card.scores["dci_informativeness"] ?? 0,
                                       informativenessTrain: card.dciInformativenessTrain, importance: card.dciImportance)
            return DisentanglementScores(betaVAE: card.scores["beta_vae"], factorVAE: card.scores["factor_vae"], mig: card.scores["mig"],
                                         mutualInformation: card.mutualInformation, factorNames: card.factorNames,
                                         gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds.merging(card.seconds) { a, _ in a },
                                         sap: card.scores["sap"], dci: dci, modularity: card.scores["modularity"],
                                         inactiveLatents: card.inactiveLatents)
        }
        guard dataset.test.classCount > 1 else {
            return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: [], factorNames: [],
                                         gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
        }
        let matrix = InformationScores.mutualInformationMatrix(codes: encodedTest.means, factors: [encodedTest.labels])
        return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: matrix, factorNames: ["label"],
                                     gaussianTotalCorrelation: totalCorrelation, seconds: times.seconds)
    }
}
