/// The settings of the objectives that followed β-VAE, as config.json stores them.

/// How β-TCVAE estimates log q(z) and log Πⱼ q(zⱼ) from a minibatch (Chen et al. 2018, §3 and
/// Appendix C).
public enum TCSampling: String, CaseIterable, Codable, Sendable {
    /// Minibatch-weighted sampling: q(z) ≈ 1/(N·M) Σⱼ q(z | xⱼ).
    case weighted
    /// Minibatch-stratified sampling: the batch's own image weighted 1/N, one other (N − M + 1)/(N·(M − 1)),
    /// the remaining M − 2 weighted 1/(M − 1) each (batch size M; the weights of a row sum to 1).
    case stratified
}

/// β-TCVAE's weights (Chen et al. 2018): L = recon + α·MI + β·TC + γ·dimension-wise KL.
public struct TCVAESettings: Codable, Equatable, Sendable {
    /// α, the weight of the index-code mutual information I(x; z).
    public var alpha: Double
    /// β, the weight of the total correlation KL(q(z) ‖ Πⱼ q(zⱼ)).
    public var tcWeight: Double
    /// γ, the weight of the dimension-wise KL Σⱼ KL(q(zⱼ) ‖ p(zⱼ)).
    public var dimensionWeight: Double
    public var sampling: TCSampling

    /// Defaults α = 1, β = 6, γ = 1 (the paper's β-TCVAE; YannDubs/disentangling-vae's btcvae).
    public init(alpha: Double = 1, tcWeight: Double = 6, dimensionWeight: Double = 1, sampling: TCSampling = .weighted) {
        self.alpha = alpha
        self.tcWeight = tcWeight
        self.dimensionWeight = dimensionWeight
        self.sampling = sampling
    }

    enum CodingKeys: String, CodingKey { case alpha, tcWeight = "beta", dimensionWeight = "gamma", sampling }
}

/// FactorVAE's weight and its discriminator's size (Kim & Mnih 2018, Appendix: 6 layers of 1000
/// units with LeakyReLU(0.2) and 2 logits; its own Adam, learning rate 1e-4, β₁ 0.5, β₂ 0.9).
public struct FactorVAESettings: Codable, Equatable, Sendable {
    /// γ, the weight of the discriminator's total-correlation estimate.
    public var gamma: Double
    /// Hidden layers of the discriminator and their width.
    public var discriminatorLayers: Int
    public var discriminatorHidden: Int

    /// γ = 40, the middle of the paper's dSprites range 10…100 (disentanglement_lib sweeps 10…100
    /// too), and the paper's 6 × 1000 discriminator.
    public init(gamma: Double = 40, discriminatorLayers: Int = 6, discriminatorHidden: Int = 1000) {
        self.gamma = gamma
        self.discriminatorLayers = discriminatorLayers
        self.discriminatorHidden = discriminatorHidden
    }
}

/// DIP-VAE's variant and weights (Kumar et al. 2018).
public struct DIPVAESettings: Codable, Equatable, Sendable {
    public enum Variant: String, Codable, Sendable {
        /// Cov over the batch of μ(x) pushed toward I.
        case i
        /// Cov of q(z): E[diag σ²(x)] + Cov of μ(x), pushed toward I.
        case ii
    }
    public var variant: Variant
    /// λ_od, the weight of Σᵢ≠ⱼ Cᵢⱼ².
    public var lambdaOffDiagonal: Double
    /// λ_d, the weight of Σᵢ (Cᵢᵢ − 1)².
    public var lambdaDiagonal: Double

    /// The paper's settings: λ_od = 10 and λ_d = 10·λ_od for DIP-VAE-I, λ_d = λ_od for DIP-VAE-II
    /// (Kumar et al. 2018 §6; disentanglement_lib's `lambda_d_factor` 10 and 1).
    public init(variant: Variant, lambdaOffDiagonal: Double = 10, lambdaDiagonal: Double? = nil) {
        self.variant = variant
        self.lambdaOffDiagonal = lambdaOffDiagonal
        self.lambdaDiagonal = lambdaDiagonal ?? (variant == .i ? 10 : 1) * lambdaOffDiagonal
    }

    enum CodingKeys: String, CodingKey { case variant, lambdaOffDiagonal = "lambdaOD", lambdaDiagonal = "lambdaD" }
}

extension Objective {
    /// A short description for reports and captions ("β = 4", "β-TCVAE, α = 1, β = 6, γ = 1 (weighted
    /// sampling)", "FactorVAE, γ = 40", "DIP-VAE-II, λ_od = 10, λ_d = 10", "autoencoder (z = μ, no KL)").
    public var summary: String {
        let n = compactNumber
        switch self {
        case let .beta(beta, warmup): return "β = \(n(beta))" + (warmup > 0 ? ", warmed up from 0 over \(warmup) steps" : "")
        case let .capacity(gamma, _, maximum, steps): return "capacity C → \(n(maximum)) nats over \(steps) steps, γ = \(n(gamma))"
        case .deterministic: return "autoencoder (z = μ, no KL)"
        case .tcvae(let s):
            return "β-TCVAE, α = \(n(s.alpha)), β = \(n(s.tcWeight)), γ = \(n(s.dimensionWeight)) (\(s.sampling.rawValue) sampling)"
        case .factorVAE(let s):
            return "FactorVAE, γ = \(n(s.gamma)) (discriminator \(s.discriminatorLayers) × \(s.discriminatorHidden))"
        case .dipVAE(let s):
            return "DIP-VAE-\(s.variant == .i ? "I" : "II"), λ_od = \(n(s.lambdaOffDiagonal)), λ_d = \(n(s.lambdaDiagonal))"
        }
    }

    /// The objective with its main weight, shortest form, for labels ("β = 4", "β-TCVAE β = 6",
    /// "FactorVAE γ = 40", "DIP-VAE-II λ_od = 10").
    public var label: String {
        let w = compactNumber(weight)
        switch self {
        case .beta: return "β = \(w)"
        case .capacity: return "capacity, γ = \(w)"
        case .deterministic: return "autoencoder"
        case .tcvae: return "β-TCVAE β = \(w)"
        case .factorVAE: return "FactorVAE γ = \(w)"
        case .dipVAE(let s): return "DIP-VAE-\(s.variant == .i ? "I" : "II") λ_od = \(w)"
        }
    }
}

extension Objective {
    /// The objective's part of a run's default name: `beta4`, `capacity25`, `ae`, `tcvae6`,
    /// `factorvae40`, `dipvae-i10`, `dipvae-ii10` (the kind and its main weight).
    public var namePart: String {
        switch self {
        case .beta(let beta, _): return "beta" + compactNumber(beta)
        case .capacity(_, _, let maximum, _): return "capacity" + compactNumber(maximum)
        case .deterministic: return "ae"
        case .tcvae, .factorVAE, .dipVAE: return kind + compactNumber(weight)
        }
    }
}
