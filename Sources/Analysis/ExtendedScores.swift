import Foundation

/// The scores that came after disentanglement_lib's study, on one representation's training and
/// test points: DCI-ES explicitness and size (`DCIESScores`), InfoM, InfoC and InfoE
/// (`InfoMECScores`), MIG-sup (`MIGSupScore`) and IRS (`IRSScore`). Each reads the codes one
/// latent or one tree at a time, so none allocates Z × Z or Z × bins × N.
struct ExtendedScores {
    /// Under `CodeScores.extendedKeys`, and disentanglement_lib's `explicitness` (its regressions are InfoE's).
    var scores: [String: Double]
    /// disentanglement_lib's explicitness on the training and test points.
    var explicitness: ExplicitnessScore.Result

    /// `matrix` is the binned mutual information `[Z][F]` of the training points over every latent
    /// (disentanglement_lib's, as MIG's default key reads it since `main`'s masked keys), which MIG-sup
    /// and InfoM/InfoC share with MIG; InfoM/InfoC leave out `options.inactive` themselves.
    init(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int, matrix: [[Double]],
         options: CodeScores.Options) {
        let entropies = trainFactors.map(InformationScores.entropy)
        let dcies = DCIESScores.score(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z)
        // One regression per factor on the standardised training codes for InfoE and explicitness.
        let probes = FactorProbes(train: train, latent: z, factors: trainFactors)
        let info = InfoMECScores.score(codes: train, latent: z, factors: trainFactors, matrix: matrix, inactive: options.inactive, probes: probes)
        explicitness = ExplicitnessScore.score(probes: probes, trainFactors: trainFactors, test: test, testFactors: testFactors)
        let irs = IRSScore.score(codes: train, latent: z, factors: trainFactors, bins: options.bins)
        scores = [
            "dci_es_explicitness": dcies.explicitness, "dci_es_size": dcies.size,
            "infom": info.infoM, "infoc": info.infoC, "infoe": info.infoE,
            "mig_sup": MIGSupScore.score(matrix: matrix, factorEntropies: entropies),
            "irs": irs.score, "explicitness": explicitness.test,
        ]
    }

    /// How each was computed, in words, for `CodeScores.Card.settings` (the report's table names
    /// the metric and its paper beside it).
    static func settings(_ o: CodeScores.Options, trainRows: Int, testRows: Int) -> [String: String] {
        let binned = "\(o.bins) equal-width bins per latent, natural-log mutual information over \(trainRows) points"
        return [
            "dci_es_explicitness": "1 − area under the test-error–capacity curve / (capacity × baseline error); probes = one CART tree per factor read at depths 0…\(DCIESScores.maximumDepth), fitted on \(trainRows) points, tested on \(testRows)",
            "dci_es_size": "number of factors / number of latents",
            "infom": "how much each active latent's normalised mutual information concentrates on one factor, rescaled so chance is 0; \(binned); latents with range < 1/20 of the largest left out",
            "infoc": "how much each factor's normalised mutual information concentrates on one active latent, rescaled so chance is 0; \(binned)",
            "infoe": "(H(f) − training log loss of a multinomial logistic regression from the standardised latents) / H(f), mean over factors; scikit-learn's LogisticRegression() (L2, C = \(InfoMECScores.defaultC), Newton-CG to the optimum); \(trainRows) points",
            "explicitness": "mean over factors and their classes of the test ROC AUC (one class against the rest) of a multinomial logistic regression's probabilities from the standardised latents; scikit-learn's LogisticRegression() (L2, C = \(InfoMECScores.defaultC), Newton-CG to the optimum), the regression InfoE reads; fitted on \(trainRows) points, tested on \(testRows)",
            "mig_sup": "gap between the two largest I(z_j; f)/H(f) of each latent, mean over latents; \(binned)",
            "irs": "1 − mean 99th-percentile deviation of a latent with one factor held / its largest deviation, best factor per latent, weighted by that deviation; factors in 20 bins; \(trainRows) points",
        ]
    }
}
