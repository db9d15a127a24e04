import Foundation

/// Modularity (Ridgeway & Mozer 2018, "Learning Deep Disentangled Embeddings With the F-Statistic
/// Loss", §3), as google-research/disentanglement_lib's `modularity_explicitness.py` computes it
/// from the binned mutual information matrix that MIG also uses (InformationScores: 20 equal-width
/// bins per latent over its observed range, natural logarithms).
public enum ModularityScore {
    /// For each latent j with m_jf = I(z_j; f) and θ_j = max_f m_jf²:
    ///
    ///     δ_j = (Σ_f m_jf² − θ_j) / (θ_j (F − 1)),   modularity_j = 1 − δ_j
    ///
    /// (0 for a latent with θ_j = 0, which carries no information about any factor; 1 for an
    /// informative latent when there is only one factor), averaged over the latents. A latent
    /// that informs about one factor only scores 1.
    public static func modularity(matrix: [[Double]]) -> Double {
        guard !matrix.isEmpty else { return 0 }
        let scores = matrix.map { row -> Double in
            let squares = row.map { $0 * $0 }
            guard let theta = squares.max(), theta > 0 else { return 0 }
            guard squares.count > 1 else { return 1 }
            let delta = (squares.reduce(0, +) - theta) / (theta * Double(squares.count - 1))
            return 1 - delta
        }
        return scores.reduce(0, +) / Double(scores.count)
    }
}
