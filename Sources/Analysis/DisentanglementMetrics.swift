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
        var seconds: [String: Double] = [:]
        let totalCorrelation = try? InformationScores.gaussianTotalCorrelation(encodedTest.means)
        if let factors = dataset.train.factors {
            var rng = RandomGenerator(seed: seed &+ 0xD15E)
            let order = rng.permutation(dataset.train.count)
            let pool = ImageSubset(dataset.train, positions: Array(order.prefix(poolSize)))
            var start = Date()
            let encoded = PosteriorPass(model: model, set: pool, binarization: binarization, seed: seed &+ 0xB1).encode()
            seconds["encode_pool"] = Date().timeIntervalSince(start)
            let classes = (0..<pool.count).flatMap { pool.factorClasses($0) }
            let data = FactorCodes(codes: encoded.means, classes: classes, sizes: factors.sizes, names: factors.names)
            // Factors with one value (dSprites' colour) say nothing about the code and are left out.
            let varying = factors.sizes.indices.filter { factors.sizes[$0] > 1 }
            let columns = varying.map { f in (0..<data.count).map { data.factor($0, f) } }
            start = Date()
            let betaVAE = SupervisedScores.betaVAE(data, factors: varying, seed: seed)
            seconds["beta_vae"] = Date().timeIntervalSince(start)
            start = Date()
            let factorVAE = SupervisedScores.factorVAE(data, factors: varying, seed: seed)
            seconds["factor_vae"] = Date().timeIntervalSince(start)
            start = Date()
            // MIG on 10,000 pool images, as disentanglement_lib's num_train.
            let sample = encoded.means.rows(0..<min(10_000, data.count))
            let sampleColumns = columns.map { Array($0.prefix(sample.rows)) }
            let matrix = InformationScores.mutualInformationMatrix(codes: sample, factors: sampleColumns)
            let mig = InformationScores.mig(matrix: matrix, factors: sampleColumns)
            seconds["mig"] = Date().timeIntervalSince(start)
            // Modularity from the same matrix; SAP and DCI fit on those 10,000 and test on the next
            // 5,000 pool images (disentanglement_lib's num_train and num_test).
            let modularity = ModularityScore.modularity(matrix: matrix)
            let testRange = sample.rows..<min(sample.rows + 5_000, data.count)
            var sap: Double?, dci: DCIScores.Result?
            if !testRange.isEmpty {
                let test = encoded.means.rows(testRange).scalars
                let testColumns = columns.map { Array($0[testRange]) }
                start = Date()
                sap = SAPScore.sap(matrix: SAPScore.scoreMatrix(train: sample.scalars, trainFactors: sampleColumns, test: test,
                                                                testFactors: testColumns, latent: data.latent, kind: .discrete))
                seconds["sap"] = Date().timeIntervalSince(start)
                start = Date()
                dci = DCIScores.score(train: sample.scalars, trainFactors: sampleColumns, test: test, testFactors: testColumns,
                                      latent: data.latent)
                seconds["dci"] = Date().timeIntervalSince(start)
            }
            return DisentanglementScores(betaVAE: betaVAE, factorVAE: factorVAE, mig: mig, mutualInformation: matrix,
                                         factorNames: varying.map { factors.names[$0] }, gaussianTotalCorrelation: totalCorrelation,
                                         seconds: seconds, sap: sap, dci: dci, modularity: modularity)
        }
        guard dataset.test.classCount > 1 else {
            return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: [], factorNames: [],
                                         gaussianTotalCorrelation: totalCorrelation, seconds: seconds)
        }
        let matrix = InformationScores.mutualInformationMatrix(codes: encodedTest.means, factors: [encodedTest.labels])
        return DisentanglementScores(betaVAE: nil, factorVAE: nil, mig: nil, mutualInformation: matrix, factorNames: ["label"],
                                     gaussianTotalCorrelation: totalCorrelation, seconds: seconds)
    }
}
