import Foundation

/// MIG-sup (Li, Murkute, Gyawali & Wang 2020, "Progressive Learning and Disentanglement of
/// Hierarchical Representations", ICLR, §5): MIG read along the other axis. MIG asks of each
/// factor whether one latent captures it better than all others; MIG-sup asks of each latent
/// whether it captures one factor better than all others, so it penalises a latent that encodes
/// two factors (which MIG misses) and does not penalise a factor spread over two copies of the
/// same latent (which MIG does).
///
/// With m_jk = I(z_j; v_k) / H(v_k), the mutual information matrix normalised by each factor's
/// entropy as MIG normalises it (`InformationScores`: 20 equal-width bins per latent, natural
/// logarithms, inactive latents 0):
///
///     MIG-sup = (1/J) Σ_j ( m_j(1) − m_j(2) )
///
/// where m_j(1) ≥ m_j(2) are the two largest entries of latent j's row, averaged over all J latents
/// (an unused latent scores 0, as in the paper). With a single factor the gap is m_j(1).
public enum MIGSupScore {
    /// MIG-sup of a mutual information matrix `[Z][F]` (nats) with the factors' entropies `[F]`
    /// (nats); factors with H = 0 count as carrying no information.
    public static func score(matrix: [[Double]], factorEntropies: [Double]) -> Double {
        guard !matrix.isEmpty else { return 0 }
        let gaps = matrix.map { row -> Double in
            let normalised = row.indices.map { k in factorEntropies[k] > 0 ? row[k] / factorEntropies[k] : 0 }.sorted(by: >)
            guard let first = normalised.first else { return 0 }
            return first - (normalised.count > 1 ? normalised[1] : 0)
        }
        return gaps.reduce(0, +) / Double(gaps.count)
    }
}
