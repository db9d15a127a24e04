import Analysis
import Foundation
import Training

/// UDR (`UDRScore`, Duan et al. 2020) on a comparison page: within each setting of several seeds,
/// each run's score from its latest snapshot's test-set posterior means and the per-latent KL of
/// its last test row in metrics.csv — the unsupervised choice among a setting's seeds.
enum ComparisonUDR {
    /// Each run's UDR among the runs of its setting; nil for a run alone in its setting, and for
    /// every run of a setting whose snapshots do not encode the same test images (different row
    /// counts or labels) or that lacks a snapshot or test row.
    static func scores(_ runs: [RunData], groups: [SettingGroup]) -> [Double?] {
        var scores = [Double?](repeating: nil, count: runs.count)
        for group in groups where group.members.count >= 2 {
            let snapshots = group.members.compactMap { runs[$0].snapshots.last }
            let kl = group.members.compactMap { runs[$0].metrics.rows(split: "test").last?.klPerDimension }
            guard snapshots.count == group.members.count, kl.count == group.members.count,
                  let first = snapshots.first, first.means.rows >= 2,
                  snapshots.allSatisfy({ $0.means.rows == first.means.rows && $0.labels == first.labels }),
                  zip(snapshots, kl).allSatisfy({ $0.means.columns == $1.count }) else { continue }
            let result = UDRScore.score(means: snapshots.map(\.means), klPerDimension: kl)
            for (member, score) in zip(group.members, result.modelScores) { scores[member] = score }
        }
        return scores
    }

    /// The sentence under the tables when UDR is shown.
    static let note = "UDR (Duan et al. 2020, UDR_S as in disentanglement_lib) ranks the seeds of a setting without labels: for each pair of runs, "
        + "the absolute Spearman correlations between their latents (posterior means of the latest snapshot's test images; latents with KL ≤ 0.01 "
        + "nats in the last test row left out) should form a one-to-one match; a run's UDR is the median of its pairs' scores. "
        + "Higher is better; it compares runs of one setting, not settings."
}
