import Foundation
import Analysis
import Plot
import Training

/// The runs of one setting: the same configuration but for the seed (a sweep's `--seeds`).
struct SettingGroup {
    /// What sets it apart from the other settings: "β = 4", "β = 4, latent = 10".
    var label: String
    /// Indices of its runs in the comparison's (sorted) run list.
    var members: [Int]
    /// The objective's weight (β), the x of the metric-against-β figure.
    var weight: Double
    /// Its β's colour, from an ordered sequential palette (`SettingGroups.betaColor`).
    var color: Color
    /// Settings that share a β differ in line style: 0 solid, 1 dashed, 2 dashed with markers.
    var style: Int
}

/// Groups a comparison's runs by setting and gives each β its colour, the same on every figure
/// of the page (curves, rate–distortion, metric against β, the tables' swatches).
enum SettingGroups {
    /// Config keys that never make a setting: bookkeeping, and the seed (what groups average over).
    static let ignoredKeys: Set<String> = ["name", "toolVersion", "threads", "seed"]

    /// `runs` (already sorted) grouped by every differing key except the seed, in run order.
    static func groups(_ runs: [RunData], differing: [String]) -> [SettingGroup] {
        let keys = differing.filter { !ignoredKeys.contains($0) }
        let weightKeys = keys.filter { $0.hasPrefix("objective.") }
        let otherKeys = keys.filter { !$0.hasPrefix("objective.") }
        let byBeta = Set(runs.map(\.config.objective.weight)).count > 1
        var order: [String] = [], members: [String: [Int]] = [:]
        for (index, run) in runs.enumerated() {
            let key = keys.map { Comparison.value(run.config, $0) }.joined(separator: "|")
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(index)
        }
        let betas = Array(Set(runs.map(\.config.objective.weight))).sorted()
        // Runs of different objectives: one hue per objective, darker for its larger weights.
        let objectives = runs.map(\.config.objective)
        let objectiveColors = ObjectiveOrder.mixed(objectives) ? ObjectiveOrder.colors(objectives) : nil
        var stylesUsed: [Double: [String]] = [:]
        return order.map { key in
            let indices = members[key] ?? []
            let config = runs[indices[0]].config
            let weight = config.objective.weight
            let others = otherKeys.map { Comparison.value(config, $0) }.joined(separator: "|")
            var used = stylesUsed[weight] ?? []
            if !used.contains(others) { used.append(others) }
            stylesUsed[weight] = used
            var parts: [String] = []
            if byBeta || weightKeys.isEmpty == false { parts.append(Comparison.weightLabel(config)) }
            parts += otherKeys.map { "\(shortKey($0)) = \(Comparison.value(config, $0))" }
            return SettingGroup(label: parts.isEmpty ? config.name : parts.joined(separator: ", "), members: indices, weight: weight,
                                color: objectiveColors?[indices[0]] ?? betaColor(weight, among: betas), style: used.firstIndex(of: others) ?? 0)
        }
    }

    /// The colour of β = `weight` among the comparison's β values: viridis from dark violet (the
    /// smallest β) to green (the largest), stopping short of its pale yellow end, which is hard
    /// to see on white; spaced by rank so neighbouring β stay apart.
    static func betaColor(_ weight: Double, among weights: [Double]) -> Color {
        guard weights.count > 1, let rank = weights.firstIndex(of: weight) else { return Color.viridis(0.3) }
        return Color.viridis(0.78 * Double(rank) / Double(weights.count - 1))
    }

    /// `model.latent` → `latent`: the last component of a config key.
    static func shortKey(_ key: String) -> String {
        key.split(separator: ".").last.map(String.init) ?? key
    }

    /// Mean, sample standard deviation (n − 1; 0 for one value) and count of the finite values.
    static func spread(_ values: [Double]) -> (mean: Double, sd: Double, count: Int)? {
        let kept = values.filter(\.isFinite)
        guard !kept.isEmpty else { return nil }
        let s = ScoreDetails.meanAndSpread(kept)
        return (s.mean, s.sd, kept.count)
    }

    /// "12.34 ± 0.56" (or the value alone for one run), with `digits` decimals.
    static func meanSD(_ values: [Double], digits: Int) -> String {
        guard let s = spread(values) else { return "–" }
        let format = "%.\(digits)f"
        return String(format: format, s.mean) + (s.count > 1 ? " ± " + String(format: format, s.sd) : "")
    }
}
