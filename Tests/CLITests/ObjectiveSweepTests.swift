import Foundation
import Testing
import Training

/// A sweep over objectives with `--vary objective=…`: one run per objective (β once, from --betas),
/// each with its own objective and options in config.json and its term columns in metrics.csv, and
/// a comparison page that orders them by objective.
@Suite struct ObjectiveSweepTests {
    @Test func sweepVariesTheObjective() throws {
        let data = CLITests.idxFolder(count: 300)
        let result = try CLITests.run(["sweep", "--betas", "4", "--vary", "objective=beta,tcvae,factorvae,dipvae-ii", "--dataset", "idx:" + data,
                                       "--epochs", "1", "--latent", "2", "--hidden", "16", "--batch-size", "50", "--iwae-samples", "2",
                                       "--threads", "1", "--out", data + "/runs/obj", "--reports", data + "/reports"])
        #expect(result.status == 0, "\(result.stderr)")
        let expected: [(String, String, [String])] = [("obj-beta4-objective-beta", "beta", []),
                                                      ("obj-objective-tcvae", "tcvae", ["mi", "tc", "dimwise_kl"]),
                                                      ("obj-objective-factorvae", "factorvae", ["tc", "discriminator_accuracy", "discriminator_loss"]),
                                                      ("obj-objective-dipvae-ii", "dipvae-ii", ["dip_offdiagonal", "dip_diagonal"])]
        for (name, kind, terms) in expected {
            let config = try RunConfig.read(path: "\(data)/runs/obj/\(name)/config.json")
            #expect(config.objective.kind == kind && config.objective.weight == [4, 6, 40, 10][expected.firstIndex { $0.0 == name }!])
            let metrics = try MetricsLog.read(path: "\(data)/runs/obj/\(name)/metrics.csv", termNames: terms)
            #expect(metrics.rows.count == 4 && metrics.termNames == terms)
        }
        let page = try String(contentsOfFile: data + "/reports/obj/index.html", encoding: .utf8)
        let order = ["β = 4", "β-TCVAE β = 6", "FactorVAE γ = 40", "DIP-VAE-II λ_od = 10"].map { page.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && zip(order, order.dropFirst()).allSatisfy { $0! < $1! }, "the page lists the objectives in order")
        #expect(page.contains("ordered by objective, then its weight"))
        // β, γ and λ_od are no common axis: no scores-against-β figure for a sweep over objectives.
        #expect(!FileManager.default.fileExists(atPath: data + "/reports/obj/figures/scores-against-beta.png") && !page.contains("Scores against β"))
    }
}
