import Analysis
import Engine
import Foundation
import Training

/// UDR as the study page's unsupervised model selection (Duan, Matthey, Saraiva, Watters, Burgess,
/// Lerchner & Higgins 2020, "Unsupervised Model Selection for Variational Disentangled
/// Representation Learning", ICLR; UDR_S as disentanglement_lib's `udr` computes it, `UDRScore`).
///
/// Each run i is compared with the other seeds j of its own setting (the same configuration but for
/// the seed: one method, one hyperparameter value, one dataset), on the same inputs for every seed
/// (`UDRCodes`: the posterior means of the first test images of the seed-0 split, and the mean KL
/// per latent on them):
///
///     R_ab   = |ρ_S(z_a^i, z_b^j)|      Spearman correlation of latent a of i with latent b of j
///                                        over the same images, for the latents with KL > 0.01 nats
///     UDR_ij = ½ [ (1/d_b) Σ_b max_a R_ab² / Σ_a R_ab  +  (1/d_a) Σ_a max_b R_ab² / Σ_b R_ab ]
///     UDR_i  = median over the other seeds j of UDR_ij
///
/// A disentangled model's informative latents reappear one to one (up to order and sign) in the
/// other seeds, so R has one large entry per row and column and UDR_ij is near 1; entangled or
/// noisy codes spread R out. As Duan et al. select models, the page picks, per method, the run
/// with the highest UDR_i over all its values and seeds. A run alone in its setting has no UDR:
/// with one seed per setting there is nothing to compare, and the page says so.
struct UDRSelection: UnsupervisedModelSelection {
    let name = "UDR"

    func scores(runs: [String]) throws -> [Double?] {
        let settings = runs.map(Self.setting)
        return Self.scores(settings: settings) { index in try? UDRCodes.of(run: runs[index]) }
    }

    /// UDR of each run among the runs of the same setting (`settings[i]`, nil for a run whose
    /// config could not be read), with `codes(i)` asked only for runs that share their setting.
    static func scores(settings: [String?], codes: (Int) -> UDRCodes?) -> [Double?] {
        var members: [String: [Int]] = [:], order: [String] = []
        for (index, setting) in settings.enumerated() {
            guard let setting else { continue }
            if members[setting] == nil { order.append(setting) }
            members[setting, default: []].append(index)
        }
        let groups = order.compactMap { members[$0] }
        let shared = Set(groups.filter { $0.count >= 2 }.flatMap { $0 })
        let loaded = settings.indices.map { shared.contains($0) ? codes($0) : nil }
        return UDRCodes.scores(loaded, groups: groups)
    }

    /// The run's setting: its config.json without the keys that never make one
    /// (`SettingGroups.ignoredKeys`: the seed and bookkeeping), as sorted JSON.
    static func setting(_ path: String) -> String? {
        guard let config = try? RunConfig.read(path: RunDirectory(path).config),
              var object = (try? JSONSerialization.jsonObject(with: Data(config.encoded()))) as? [String: Any] else { return nil }
        for key in SettingGroups.ignoredKeys { object.removeValue(forKey: key) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The pick among one method's runs from their selection scores.
enum SelectionPick: Equatable {
    /// The run at this index has the highest score; `ties` are the other runs with the same score
    /// (with two seeds a setting's runs always tie: UDR_i is their one pair's UDR_ij).
    case run(Int, ties: [Int])
    /// No run has a score.
    case unscored
    /// Every scored run has the same score (UDR 0 for all when no latent carries information).
    case tied(Double, count: Int)

    init(scores: [Double?]) {
        let scored = scores.indices.filter { scores[$0] != nil }
        guard let best = scored.max(by: { scores[$0]! < scores[$1]! }) else { self = .unscored; return }
        let top = scores[best]!
        let ties = scored.filter { $0 != best && scores[$0]! == top }
        self = ties.count + 1 == scored.count && scored.count >= 2 ? .tied(top, count: scored.count) : .run(best, ties: ties)
    }
}
