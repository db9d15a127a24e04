import Foundation

/// The Interventional Robustness Score (Suter, Miladinović, Schölkopf & Bauer 2019, "Robustly
/// Disentangled Causal Mechanisms: Validating Deep Representations for Interventional Robustness",
/// ICML), as google-research/disentanglement_lib's `irs.py` computes it (its setting: the 99th
/// percentile of the deviations, 10,000 points).
///
/// For latent j and factor i, intervening on i (holding it at each of its values k) should move z_j
/// as little as possible if j encodes i. With E_k[z_j] the mean of z_j over the points with
/// f_i = k and q_0.99 the 99th percentile (linear interpolation) over those points:
///
///     EMPIDA_ji = (1/K_i) Σ_k q_0.99 |z_j − E_k[z_j]|
///     IRS_ji    = 1 − EMPIDA_ji / max_n |z_j − E[z_j]|
///     IRS       = Σ_j w_j max_i IRS_ji / Σ_j w_j,   w_j = max_n |z_j − E[z_j]|
///
/// over the latents that vary (constant latents are dropped; IRS = 0 when none varies). Factors are
/// first binned into 20 equal-width bins of their class index, as disentanglement_lib's
/// `make_discretizer` bins them (a factor with at most 20 classes keeps one bin per class).
/// A latent equal to a factor scores 1 (it does not move while that factor is held); a latent of
/// noise scores about 1 − q_0.99/max, the ratio of a typical to the largest deviation.
public enum IRSScore {
    public struct Result: Equatable, Sendable {
        public var score: Double
        /// max_i IRS_ji of each varying latent, ascending latent order (`activeLatents`).
        public var perLatent: [Double]
        public var activeLatents: [Int]
    }

    /// IRS of codes `[N, Z]` (row-major) against factor classes `factors[i][n]`.
    /// One latent column at a time, so memory is O(N + Z·F) whatever Z is.
    public static func score(codes: [Float], latent z: Int, factors: [[Int]], bins: Int = 20, quantile: Double = 0.99) -> Result {
        let n = factors.first?.count ?? (z > 0 ? codes.count / z : 0)
        guard n > 0, z > 0, !factors.isEmpty else { return Result(score: 0, perLatent: [], activeLatents: []) }
        // Each factor's points by binned value.
        let groups: [[[Int]]] = factors.map { classes in
            let binned = bin(classes, bins: bins)
            var members = [[Int]](repeating: [], count: bins)
            for (row, b) in binned.enumerated() { members[b].append(row) }
            return members.filter { !$0.isEmpty }
        }
        var perLatent: [Double] = [], weights: [Double] = [], active: [Int] = []
        var column = [Double](repeating: 0, count: n)
        var deviations: [Double] = []
        deviations.reserveCapacity(n)
        for j in 0..<z {
            for row in 0..<n { column[row] = Double(codes[row * z + j]) }
            let mean = column.reduce(0, +) / Double(n)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            guard variance > 0 else { continue }
            let largest = column.reduce(0) { max($0, abs($1 - mean)) }
            var best = -Double.infinity
            for members in groups {
                var total = 0.0
                for rows in members {
                    let groupMean = rows.reduce(0) { $0 + column[$1] } / Double(rows.count)
                    deviations.removeAll(keepingCapacity: true)
                    for row in rows { deviations.append(abs(column[row] - groupMean)) }
                    total += percentile(&deviations, quantile)
                }
                best = max(best, 1 - total / Double(members.count) / largest)
            }
            perLatent.append(best)
            weights.append(largest)
            active.append(j)
        }
        guard !active.isEmpty else { return Result(score: 0, perLatent: [], activeLatents: []) }
        let totalWeight = weights.reduce(0, +)
        let score = totalWeight > 0 ? zip(perLatent, weights).reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
            : perLatent.reduce(0, +) / Double(perLatent.count)
        return Result(score: score, perLatent: perLatent, activeLatents: active)
    }

    /// disentanglement_lib's histogram discretiser on class indices: bin b = ⌊bins·(x − min)/(max − min)⌋,
    /// the maximum in the last bin (all 0 for a constant factor).
    static func bin(_ classes: [Int], bins: Int) -> [Int] {
        guard let low = classes.min(), let high = classes.max(), high > low else { return classes.map { _ in 0 } }
        let width = Double(high - low)
        return classes.map { min(Int(Double(bins) * Double($0 - low) / width), bins - 1) }
    }

    /// The q-th quantile with linear interpolation between order statistics (numpy's default);
    /// sorts `values` in place.
    static func percentile(_ values: inout [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }
}
