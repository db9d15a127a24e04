import Engine
import Foundation

/// Unsupervised Disentanglement Ranking (Duan, Matthey, Saraiva, Watters, Burgess, Lerchner &
/// Higgins 2020, "Unsupervised Model Selection for Variational Disentangled Representation
/// Learning", ICLR, §3), UDR_S with the Spearman correlation, as google-research/disentanglement_lib's
/// `udr/metrics/udr.py` computes it. It ranks models trained with different seeds without labels:
/// a disentangled model's informative latents reappear, one to one and up to sign and order, in the
/// other seeds' models, while entangled models mix them differently each time.
///
/// For models i and j encoding the same N images (posterior means `[N, Z]`):
///
///     R_ab = |ρ_S(z_a^i, z_b^j)|                              (Spearman, Z_i × Z_j)
///     keep the latents a of i and b of j whose mean KL to the prior exceeds 0.01 nats
///     UDR_ij = ½ [ (1/d_b) Σ_b max_a R_ab² / Σ_a R_ab  +  (1/d_a) Σ_a max_b R_ab² / Σ_b R_ab ]
///     UDR_i  = median over j ≠ i of UDR_ij
///
/// (the paper weights the two sums by d_a and d_b over d_a + d_b; disentanglement_lib averages
/// them, which is what is done here and the same when both models keep equally many latents). A
/// term with Σ R = 0 counts 0; a pair where either model keeps no latent scores 0. Spearman's ρ is
/// Pearson's correlation of the ranks (ties get their mean rank, as scipy gives them), computed for
/// all pairs at once as one product of the standardised rank matrices.
public enum UDRScore {
    /// The KL (nats) a latent must exceed to count as informative.
    public static let klThreshold = 0.01

    public struct Result: Equatable, Sendable {
        /// UDR_i of each model, in the order given.
        public var modelScores: [Double]
        /// UDR_ij (symmetric; the diagonal 0).
        public var pairwise: [[Double]]
        /// The latents of each model that passed the KL filter.
        public var informativeLatents: [[Int]]
    }

    /// UDR of `means.count` ≥ 2 models: `means[i]` the `[N, Z_i]` posterior means of model i on the
    /// same N ≥ 2 images (same order), `klPerDimension[i]` its mean KL per latent (Z_i values).
    public static func score(means: [Tensor], klPerDimension: [[Double]]) -> Result {
        precondition(means.count >= 2 && means.count == klPerDimension.count, "UDR ranks two or more models, each with its KL")
        let n = means[0].rows
        precondition(means.allSatisfy { $0.rows == n } && n >= 2, "every model encodes the same N ≥ 2 images")
        precondition(zip(means, klPerDimension).allSatisfy { $0.columns == $1.count }, "one KL per latent")
        let informative = klPerDimension.map { kl in kl.indices.filter { kl[$0] > klThreshold } }
        // Standardised ranks of the informative latents only: [N, d_i], unit-norm columns.
        let ranks = means.indices.map { standardisedRanks(means[$0], columns: informative[$0]) }
        let count = means.count
        var pairwise = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        for i in 0..<count {
            for j in (i + 1)..<count where !informative[i].isEmpty && !informative[j].isEmpty {
                var product = Tensor(shape: [informative[i].count, informative[j].count])
                BLAS.gemm(.transposed, ranks[i], .none, ranks[j], into: &product)
                let r = (0..<informative[i].count).map { a in (0..<informative[j].count).map { b in abs(Double(product[a * informative[j].count + b])) } }
                let value = relativeStrength(r)
                pairwise[i][j] = value
                pairwise[j][i] = value
            }
        }
        let scores = (0..<count).map { i in median((0..<count).filter { $0 != i }.map { pairwise[$0][i] }) }
        return Result(modelScores: scores, pairwise: pairwise, informativeLatents: informative)
    }

    /// ½ (mean over columns of max² / sum + mean over rows of max² / sum) of a non-negative
    /// matrix `[A][B]` (0 for an empty one; a line with sum 0 counts 0).
    public static func relativeStrength(_ r: [[Double]]) -> Double {
        guard let width = r.first?.count, width > 0 else { return 0 }
        func strength(_ line: [Double]) -> Double {
            let total = line.reduce(0, +)
            guard total > 0, let top = line.max() else { return 0 }
            return top * top / total
        }
        let rows = r.map(strength).reduce(0, +) / Double(r.count)
        let columns = (0..<width).map { b in strength(r.map { $0[b] }) }.reduce(0, +) / Double(width)
        return (rows + columns) / 2
    }

    /// The ranks (1…N, ties their mean) of each column of `codes` listed in `columns`, centred and
    /// scaled to unit norm: the dot product of two such columns is their Spearman correlation (a
    /// constant column is all 0, correlating 0 with everything).
    static func standardisedRanks(_ codes: Tensor, columns: [Int]) -> Tensor {
        let n = codes.rows, z = codes.columns
        var out = Tensor(shape: [n, columns.count])
        var order = Array(0..<n)
        var ranks = [Double](repeating: 0, count: n)
        for (c, j) in columns.enumerated() {
            order.sort { codes[$0 * z + j] < codes[$1 * z + j] }
            var start = 0
            while start < n {
                var end = start + 1
                while end < n, codes[order[end] * z + j] == codes[order[start] * z + j] { end += 1 }
                let rank = Double(start + end + 1) / 2   // mean of the 1-based ranks start+1…end
                for k in start..<end { ranks[order[k]] = rank }
                start = end
            }
            let mean = Double(n + 1) / 2
            let norm = ranks.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }.squareRoot()
            guard norm > 0 else { continue }
            for row in 0..<n { out[row * columns.count + c] = Float((ranks[row] - mean) / norm) }
        }
        return out
    }

    /// The median (the mean of the two middle values for an even count; 0 for none).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
