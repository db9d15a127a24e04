import Engine
import Foundation

/// Information-theoretic scores: the latent × factor mutual information matrix, MIG (Chen et al.
/// 2018) and the Gaussian total correlation of the aggregate posterior, estimated as
/// google-research/disentanglement_lib does (20 equal-width bins per latent, natural logarithms).
public enum InformationScores {
    /// Each latent's bin index (0..<bins) over its own min…max range, for every row of `codes`
    /// `[N, Z]`, as disentanglement_lib's `_histogram_discretize` makes it:
    /// `np.digitize(x, np.histogram(x, bins)[1][:-1]) − 1`. The edges are numpy's for float32
    /// input, e_k = k·((max − min)/bins) + min rounded to float32 at each step, and x goes to the
    /// last edge ≤ x, so a value on an edge lands in the same bin as there.
    public static func discretize(_ codes: Tensor, bins: Int = 20) -> [[Int]] {
        let n = codes.rows, z = codes.columns
        return (0..<z).map { j in
            let column = (0..<n).map { codes[$0 * z + j] }
            let low = column.min() ?? 0, high = column.max() ?? 0
            guard high > low else { return [Int](repeating: 0, count: n) }
            let step = (high - low) / Float(bins)
            let edges = (0..<bins).map { Float($0) * step + low }
            return column.map { x in
                // Binary search for the last edge ≤ x (edges[0] = min ≤ x always).
                var lo = 0, hi = bins - 1
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if edges[mid] <= x { lo = mid } else { hi = mid - 1 }
                }
                return lo
            }
        }
    }

    /// I(a; b) in nats from two label sequences (a plug-in estimate from their contingency table).
    public static func mutualInformation(_ a: [Int], _ b: [Int]) -> Double {
        precondition(a.count == b.count)
        let n = Double(a.count)
        guard n > 0 else { return 0 }
        var joint: [Int: [Int: Int]] = [:], countsA: [Int: Int] = [:], countsB: [Int: Int] = [:]
        for (x, y) in zip(a, b) {
            joint[x, default: [:]][y, default: 0] += 1
            countsA[x, default: 0] += 1
            countsB[y, default: 0] += 1
        }
        // Summed in ascending class order: a Dictionary's iteration order differs between instances,
        // and so would the last bits of the sum (the same data would score 1 ulp apart).
        var total = 0.0
        for x in joint.keys.sorted() {
            let row = joint[x] ?? [:]
            for y in row.keys.sorted() {
                let pxy = Double(row[y] ?? 0) / n
                total += pxy * Foundation.log(pxy / (Double(countsA[x] ?? 1) / n * Double(countsB[y] ?? 1) / n))
            }
        }
        return max(total, 0)
    }

    /// H(a) in nats.
    public static func entropy(_ a: [Int]) -> Double {
        var counts: [Int: Int] = [:]
        for x in a { counts[x, default: 0] += 1 }
        let n = Double(a.count)
        // In ascending class order, so the same labels give the same bits (see `mutualInformation`).
        return -counts.keys.sorted().reduce(0) { $0 + Double(counts[$1] ?? 0) / n * Foundation.log(Double(counts[$1] ?? 0) / n) }
    }

    /// The matrix I(z_j; factor f) `[Z][F]` for discretised codes and factor classes (one array per factor).
    public static func mutualInformationMatrix(codes: Tensor, factors: [[Int]], bins: Int = 20) -> [[Double]] {
        let discrete = discretize(codes, bins: bins)
        return discrete.map { latent in factors.map { mutualInformation(latent, $0) } }
    }

    /// MIG: for each factor, the gap between the two largest I(z_j; f) divided by H(f), averaged
    /// over the factors (constant factors, with H = 0, must be left out by the caller).
    public static func mig(matrix: [[Double]], factors: [[Int]]) -> Double {
        guard matrix.count >= 2, !factors.isEmpty else { return 0 }
        let gaps = factors.indices.map { f -> Double in
            let column = matrix.map { $0[f] }.sorted(by: >)
            let h = entropy(factors[f])
            return h > 0 ? (column[0] - column[1]) / h : 0
        }
        return gaps.reduce(0, +) / Double(gaps.count)
    }

    /// ½(Σ log Σⱼⱼ − log det Σ) for the covariance Σ of `codes` `[N, Z]`: the total correlation of a
    /// Gaussian with that covariance (0 exactly when the dimensions are uncorrelated).
    public static func gaussianTotalCorrelation(_ codes: Tensor) throws -> Double {
        let n = codes.rows, z = codes.columns
        var mean = [Float](repeating: 0, count: z)
        for row in 0..<n { for j in 0..<z { mean[j] += codes[row * z + j] / Float(n) } }
        var centered = codes
        for row in 0..<n { for j in 0..<z { centered[row * z + j] -= mean[j] } }
        var covariance = Tensor(shape: [z, z])
        BLAS.gemm(.transposed, centered, .none, centered, into: &covariance, alpha: 1 / Float(max(n - 1, 1)))
        let (values, _) = try SymmetricEigen.decompose(covariance)
        let logDeterminant = values.reduce(0.0) { $0 + Foundation.log(max(Double($1), 1e-12)) }
        let logDiagonal = (0..<z).reduce(0.0) { $0 + Foundation.log(max(Double(covariance[$1 * z + $1]), 1e-12)) }
        return 0.5 * (logDiagonal - logDeterminant)
    }
}
