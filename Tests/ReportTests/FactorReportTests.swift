import Analysis
import Datasets
import Engine
import Foundation
import Models
import Testing
@testable import Report
@testable import Training

/// The report of a run on data with known factors: the disentanglement table with each score's
/// spread, sampled z, accuracies and settings; the per-latent table; sizes stated as used.
@Suite struct FactorReportTests {
    @Test func spritesReportStatesSpreadSizesAndLatentRoles() throws {
        let folder = ReportTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try ReportTests.spritesRun(folder: folder, latent: 3)
        let templates = try Templates(folder: ReportTests.templatesFolder)
        let page = try RunReport.write(run: run.path, to: folder + "/report", policy: EvaluationPolicy(iwaeSamples: 2), templates: templates)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let bytes = try AtomicFile.read(run.path + "/evaluation.json")
        let evaluation = try EvaluationResult.decode(bytes, path: "evaluation.json", latent: 3)
        let d = try #require(evaluation.disentanglement)
        let details = try #require(d.details)
        // A 64-image run: every fresh-sample size at its floor, and the JSON says so.
        let expected = DisentanglementMetrics.generated(trainImages: 64)
        #expect(details.sampleSizes["representationTrain"] == expected.trainLimit && expected.trainLimit == 100)
        #expect(details.sampleSizes["supervisedTrain"] == expected.supervisedTrainPoints && expected.supervisedTrainPoints == 10)
        #expect(details.settings["mig"]?.contains("100 points") == true)
        #expect(details.repeats == DisentanglementMetrics.repeats)
        // The table: each score as mean ± sd, the sampled-z column, the classifiers' accuracies.
        #expect(html.contains("<h2>Disentanglement</h2>"))
        let mig = String(format: "%.3f ± %.3f", d.mig ?? -1, details.spread["mig"] ?? -1)
        #expect(html.contains(mig), "\(mig)")
        let sampled = String(format: "%.3f ± %.3f", details.sampled["modularity"] ?? -1, details.sampledSpread["modularity"] ?? -1)
        #expect(html.contains(sampled), "\(sampled)")
        let beta = try #require(details.accuracies["beta_vae"])
        #expect(html.contains(String(format: "%.3f / %.3f", beta.train, beta.evaluation)))
        #expect(html.contains("fresh images drawn from the factor space, 3 times"))
        // Which estimator and which sample sizes each score comes from.
        #expect(html.contains("Sample sizes: quick sample sizes"))
        #expect(html.contains("LogisticRegression()") && html.contains("GradientBoostingClassifier()") && html.contains("liblinear"))
        // The per-latent table: one row per dimension, with its variance and KL.
        #expect(html.contains("<h2>Latent dimensions</h2>"))
        for j in 0..<3 {
            #expect(html.contains("<td>z\(j)</td><td class=\"number\">" + String(format: "%.4f", evaluation.usage.meanVariance[j])))
        }
        // compare: the scores table's last row is the evaluation seeds' sd, averaged over the runs.
        let other = try ReportTests.spritesRun(folder: folder, latent: 3, name: "t", beta: 4)
        let policy = EvaluationPolicy(iwaeSamples: 2)
        try Comparison.write(runs: [run.path, other.path], to: folder + "/compare", policy: policy, templates: templates)
        let compared = try String(contentsOfFile: folder + "/compare/index.html", encoding: .utf8)
        let otherEvaluation = try EvaluationResult.decode(try AtomicFile.read(other.path + "/evaluation.json"), path: "t", latent: 3)
        let noise = ((details.spread["beta_vae"] ?? 0) + (otherEvaluation.disentanglement?.details?.spread["beta_vae"] ?? 0)) / 2
        #expect(noise > 0, "BetaVAE's classifier moves with the evaluation seed")
        #expect(compared.contains("evaluation seeds (sd within a run, mean over runs)</td><td class=\"number\">3</td>"))
        // One line per score saying which estimator its numbers come from.
        let estimators = compared.components(separatedBy: "<ul class=\"estimators\">").dropFirst().first?.components(separatedBy: "</ul>").first ?? ""
        #expect(estimators.contains("<li><strong>BetaVAE (Higgins et al. 2017)</strong>: mean |z₁ − z₂| over pairs sharing one factor; logistic regression as scikit-learn's LogisticRegression()")
                || estimators.contains("<li><strong>BetaVAE (Higgins et al. 2017)</strong>: mean |z₁ − z₂| over pairs sharing one factor; logistic regression as scikit-learn&#39;s LogisticRegression()"),
                "\(estimators)")
        #expect(estimators.contains("<li><strong>DCI completeness</strong>: gradient-boosted trees per factor"), "\(estimators)")
        // disentanglement_lib's eight, then the six extended scores with a figure (DCI-ES size is Z's, not a seed's).
        #expect(estimators.contains("<li><strong>InfoE</strong>: (H(f) − training log loss"), "\(estimators)")
        #expect(estimators.components(separatedBy: "<li>").count - 1 == 8 + 6, "one line per score: \(estimators)")
        #expect(compared.contains(String(format: "<td class=\"number\">3</td><td class=\"number\">± %.3f</td>", noise)), "BetaVAE noise \(noise)")
    }
}
