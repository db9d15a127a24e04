import Analysis
import Foundation
import Training

/// UDR (`UDRScore`, Duan et al. 2020) on a comparison page: within each setting of several seeds,
/// each run's score from its `UDRCodes` — the posterior means and per-latent KL of the same fixed
/// inputs for every seed (the first test images of the seed-0 split) — the unsupervised choice
/// among a setting's seeds.
enum ComparisonUDR {
    /// Each run's UDR among the runs of its setting; nil for a run alone in its setting, and for
    /// every run of a setting whose codes cannot be computed or are not of the same inputs.
    /// Saved codes (a study's runs have them) are reused; others are computed and not written.
    static func scores(_ runs: [RunData], groups: [SettingGroup]) -> [Double?] {
        let several = Set(groups.filter { $0.members.count >= 2 }.flatMap(\.members))
        let codes = runs.indices.map { index in several.contains(index) ? try? UDRCodes.of(runs[index].loaded, save: false) : nil }
        return UDRCodes.scores(codes, groups: groups.map(\.members))
    }

    /// The sentence under the tables when UDR is shown.
    static let note = "UDR (Duan et al. 2020, UDR_S as in disentanglement_lib) ranks the seeds of a setting without labels: for each pair of runs, "
        + "the absolute Spearman correlations between their latents (posterior means of the same images for every seed: the first "
        + "\(UDRCodes.imageCount) or fewer test images of the seed-\(UDRCodes.inputSeed) split; latents with mean KL ≤ 0.01 nats on them left out) "
        + "should form a one-to-one match; a run's UDR is the median of its pairs' scores. Higher is better; it compares runs of one setting, not settings."
}
