import Analysis
import Foundation

/// The run report's disentanglement table: each score on the posterior means and on sampled z as
/// mean ± standard deviation over the evaluation seeds, the train and evaluation accuracy of the
/// classifier behind it, and how it was computed (estimator, bins, sample sizes, classifier).
enum ScoreTable {
    static let titles: [String: String] = [
        "beta_vae": "BetaVAE (Higgins et al. 2017)", "factor_vae": "FactorVAE (Kim & Mnih 2018)", "mig": "MIG (Chen et al. 2018)",
        "sap": "SAP (Kumar et al. 2018)", "dci_disentanglement": "DCI disentanglement (Eastwood & Williams 2018)",
        "dci_completeness": "DCI completeness", "dci_informativeness": "DCI informativeness", "modularity": "modularity (Ridgeway & Mozer 2018)",
        "explicitness": "explicitness (Ridgeway & Mozer 2018)",
        "dci_es_explicitness": "DCI-ES explicitness (Eastwood et al. 2023)", "dci_es_size": "DCI-ES size",
        "infom": "InfoM (Hsu et al. 2023)", "infoc": "InfoC", "infoe": "InfoE", "mig_sup": "MIG-sup (Li et al. 2020)",
        "irs": "IRS (Suter et al. 2019)",
        "mig_masked": "MIG, inactive latents masked", "modularity_masked": "modularity, inactive latents masked",
    ]

    /// "0.512 ± 0.031" (the value alone without a spread).
    static func text(_ value: Double?, _ spread: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.3f", value) + (spread.map { String(format: " ± %.3f", $0) } ?? "")
    }

    /// The table's rows, in `CodeScores.keys` order; empty without factor scores.
    static func rows(_ d: DisentanglementScores) -> [[String: String]] {
        let means: [String: Double?] = [
            "beta_vae": d.betaVAE, "factor_vae": d.factorVAE, "mig": d.mig, "sap": d.sap, "dci_disentanglement": d.dciDisentanglement,
            "dci_completeness": d.dciCompleteness, "dci_informativeness": d.dciInformativeness, "modularity": d.modularity,
            "mig_masked": d.migMasked, "modularity_masked": d.modularityMasked,
        ].merging((d.extendedScores ?? [:]).mapValues { Optional($0) }) { a, _ in a }
        let details = d.details
        var previous = ""
        return (CodeScores.keys + CodeScores.maskedKeys).compactMap { key in
            guard let value = means[key] ?? nil else { return nil }
            let accuracy = details?.accuracies[key].map { String(format: "%.3f / %.3f", $0.train, $0.evaluation) } ?? ""
            let sampled = details.map { text($0.sampled[key], $0.sampledSpread[key]) } ?? "–"
            // DCI's three scores share their trees: said once.
            let how = details?.settings[key] ?? ""
            defer { previous = how }
            return ["name": titles[key] ?? key, "means": text(value, details?.spread[key]),
                    "sampled": CodeScores.representationKeys.contains(key) ? sampled : "–",
                    "accuracy": accuracy, "how": how == previous ? "the trees above" : how.hasPrefix(previous) && !previous.isEmpty ? "the trees above" + how.dropFirst(previous.count) : how]
        }
    }

    /// The sentence under the table: where the observations came from and how many evaluation seeds.
    static func note(_ d: DisentanglementScores) -> String {
        guard let details = d.details else { return "Scores from an evaluation made before their settings were recorded: run 'betavae evaluate' again for spreads and sampled z." }
        let inactive = (d.inactiveLatents ?? []).isEmpty ? ""
            : " Inactive latents (posterior-mean variance < 0.01: z" + (d.inactiveLatents ?? []).map(String.init).joined(separator: ", z") + ") are binned like every other latent, as disentanglement_lib does; the masked rows give them zero mutual information instead."
        let sizes = (d.evaluationProtocol.flatMap(EvaluationProtocol.init(rawValue:)) ?? .quick).summary
        return "Sample sizes: \(sizes); the last column says for each score the estimator it comes from. Each score is computed on \(details.source), \(details.repeats) times with different evaluation seeds (fresh observations, splits and classifiers each time): mean ± standard deviation over the \(details.repeats). \"Posterior means\" scores the representation z = μ(x); \"sampled z\" scores z = μ + σ·ε, one ε per observation, as disentanglement_lib reports both (BetaVAE and FactorVAE only on the means). Accuracy is the classifier's on its training points / on the evaluation points (the score)." + inactive
    }
}
