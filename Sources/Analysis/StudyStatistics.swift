import Foundation

/// The statistics of a study's page (Locatello et al. 2019): rank correlations between scores,
/// quartiles, and how much of a score's spread the random seed explains against the hyperparameter.
/// Hand-written: each is a few lines over plain arrays, and the package links no statistics library.
public enum StudyStatistics {
    /// Ranks 1…n of `values`, ties sharing the mean of the ranks they span (the "average" method of
    /// scipy.stats.rankdata, which Spearman's ρ with ties needs).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let shared = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = shared }
            start = end + 1
        }
        return ranks
    }

    /// Pearson's correlation of `x` and `y` (equal lengths): Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)²·Σ(y−ȳ)²);
    /// nil with fewer than two pairs or when either is constant (the correlation is undefined).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "one y per x")
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }

    /// Spearman's rank correlation ρ of `x` and `y`: Pearson's correlation of their average ranks
    /// (Spearman 1904; scipy.stats.spearmanr). nil as for `pearson`.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(ranks(x), ranks(y))
    }

    /// The lower quartile, median and upper quartile of `values` (non-empty), by linear
    /// interpolation between order statistics at position p·(n−1) (numpy.percentile's default).
    public static func quartiles(_ values: [Double]) -> (lower: Double, median: Double, upper: Double) {
        precondition(!values.isEmpty, "quartiles of no values")
        let sorted = values.sorted()
        func at(_ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
        }
        return (at(0.25), at(0.5), at(0.75))
    }

    /// How a score's spread over one method's runs splits between the hyperparameter and the seed,
    /// by the law of total variance: with runs grouped by hyperparameter value,
    ///
    ///     Var(s) = Var_h(E[s | h]) + E_h[Var(s | h)]
    ///              between values    within a value (the seed's)
    ///
    /// (population variances, each group weighted by its runs). `groups` holds each value's scores
    /// (one per seed). Returns the seed's share E_h[Var(s | h)] / Var(s) and the total variance;
    /// nil when fewer than two runs or no spread at all.
    public static func seedShare(_ groups: [[Double]]) -> (seed: Double, total: Double)? {
        let all = groups.flatMap { $0 }
        guard all.count >= 2 else { return nil }
        let mean = all.reduce(0, +) / Double(all.count)
        let total = all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count)
        guard total > 0 else { return nil }
        var within = 0.0
        for group in groups where !group.isEmpty {
            let m = group.reduce(0, +) / Double(group.count)
            within += group.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
        within /= Double(all.count)
        return (min(1, max(0, within / total)), total)
    }
}
