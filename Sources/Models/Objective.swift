import Engine
import Foundation

/// How the decoder's output scores an image.
public enum Likelihood: String, CaseIterable, Codable, Sendable {
    /// Bernoulli per pixel from logits (BCE-with-logits); the decoded image is σ(logits).
    case bernoulli
    /// Gaussian per pixel with unit variance around the decoder's output, which is the decoded image.
    case gaussian

    /// Per-image NLL and, when `gradientScale` is given, ∂/∂output scaled by it.
    public func negativeLogLikelihood(output: Tensor, images: Tensor,
                                      gradientScale: Float?) -> (perImage: [Float], gradient: Tensor?) {
        switch self {
        case .bernoulli: return Losses.bernoulliNLL(logits: output, targets: images, gradientScale: gradientScale)
        case .gaussian: return Losses.gaussianNLL(predictions: output, targets: images, gradientScale: gradientScale)
        }
    }

    /// The decoder output as an image in [0, 1]: σ(logits) for Bernoulli, clamp(x̂, 0, 1) for Gaussian.
    public func mean(_ output: Tensor) -> Tensor {
        var image = output
        image.scalars.withUnsafeMutableBufferPointer { x in
            for i in x.indices {
                x[i] = self == .bernoulli ? Sigmoid.logistic(x[i]) : min(max(x[i], 0), 1)
            }
        }
        return image
    }
}

/// The training objective, per image in nats. config.json spells it as ObjectiveCoding.swift says.
public enum Objective: Codable, Equatable, Sendable {
    /// recon + β·KL (Higgins et al. 2017); β = 1 is the VAE (Kingma & Welling 2014). With `warmup`
    /// > 0 steps the weight rises linearly from 0 to β over the first `warmup` steps (KL warm-up,
    /// Bowman et al. 2016; Sønderby et al. 2016).
    case beta(Double, warmup: Int = 0)
    /// recon + γ·|KL − C| with C rising linearly from `start` to `max` nats over `steps` steps
    /// (Burgess et al. 2018).
    case capacity(gamma: Double, start: Double, max: Double, steps: Int)
    /// A plain autoencoder: z = μ, no KL term.
    case deterministic
    /// β-TCVAE (Chen et al. 2018): recon + α·MI + β·TC + γ·dimension-wise KL, the KL's three parts
    /// estimated on the minibatch (`TotalCorrelationEstimator`).
    case tcvae(TCVAESettings)
    /// FactorVAE (Kim & Mnih 2018): recon + KL + γ·TC, TC estimated by a discriminator.
    case factorVAE(FactorVAESettings)
    /// DIP-VAE-I or -II (Kumar et al. 2018): recon + KL + the moment penalty of `DIPPenalty`.
    case dipVAE(DIPVAESettings)

    /// The capacity C at optimiser step `step` (0 unless annealing capacity).
    public func capacity(atStep step: Int) -> Double {
        guard case let .capacity(_, start, maximum, steps) = self else { return 0 }
        guard steps > 0 else { return maximum }
        return start + (maximum - start) * min(Double(step) / Double(steps), 1)
    }

    /// The objective's main weight: β, γ for capacity and FactorVAE, β (the TC weight) for β-TCVAE,
    /// λ_od for DIP-VAE, 0 for the autoencoder. Runs of one objective are ordered by it.
    public var weight: Double {
        switch self {
        case .beta(let beta, _): return beta
        case .capacity(let gamma, _, _, _): return gamma
        case .deterministic: return 0
        case .tcvae(let s): return s.tcWeight
        case .factorVAE(let s): return s.gamma
        case .dipVAE(let s): return s.lambdaOffDiagonal
        }
    }

    /// The weight in force at optimiser step `step` (what metrics.csv's `beta` column holds): the
    /// warmed-up β(step) = β·min(step/warmup, 1) of a β run with warm-up, else `weight`.
    public func weight(atStep step: Int) -> Double {
        guard case let .beta(beta, warmup) = self, warmup > 0 else { return weight }
        return beta * min(Double(step) / Double(warmup), 1)
    }

    /// The objective's name on the command line and in config.json's `kind`.
    public var kind: String {
        switch self {
        case .beta: return "beta"
        case .capacity: return "capacity"
        case .deterministic: return "deterministic"
        case .tcvae: return "tcvae"
        case .factorVAE: return "factorvae"
        case .dipVAE(let s): return s.variant == .ii ? "dipvae-ii" : "dipvae-i"
        }
    }

    /// Names of the objective's own terms, metrics.csv's columns after kl_{Z−1} (empty for β,
    /// capacity and the autoencoder): β-TCVAE `mi, tc, dimwise_kl`; FactorVAE the discriminator's
    /// `tc` estimate, its `discriminator_accuracy` and `discriminator_loss`; DIP-VAE the unweighted
    /// penalties `dip_offdiagonal` Σᵢ≠ⱼ Cᵢⱼ² and `dip_diagonal` Σᵢ (Cᵢᵢ − 1)².
    public var termNames: [String] {
        switch self {
        case .beta, .capacity, .deterministic: return []
        case .tcvae: return ["mi", "tc", "dimwise_kl"]
        case .factorVAE: return ["tc", "discriminator_accuracy", "discriminator_loss"]
        case .dipVAE: return ["dip_offdiagonal", "dip_diagonal"]
        }
    }

    /// Every list of term names an objective writes (for reading metrics.csv).
    public static let termNameSets: [[String]] = [[], ["mi", "tc", "dimwise_kl"], ["tc", "discriminator_accuracy", "discriminator_loss"],
                                                  ["dip_offdiagonal", "dip_diagonal"]]

    /// The objective's value for a batch with mean reconstruction `recon`, mean KL `kl` and its own
    /// `terms` (in `termNames` order; empty for β, capacity and the autoencoder).
    public func value(recon: Double, kl: Double, terms: [Double] = [], step: Int) -> Double {
        switch self {
        case .beta: return recon + weight(atStep: step) * kl
        case .capacity(let gamma, _, _, _): return recon + gamma * abs(kl - capacity(atStep: step))
        case .deterministic: return recon
        case .tcvae(let s):
            guard terms.count == 3 else { return recon + kl }
            return recon + s.alpha * terms[0] + s.tcWeight * terms[1] + s.dimensionWeight * terms[2]
        case .factorVAE(let s): return recon + kl + s.gamma * (terms.first ?? 0)
        case .dipVAE(let s):
            guard terms.count == 2 else { return recon + kl }
            return recon + kl + s.lambdaOffDiagonal * terms[0] + s.lambdaDiagonal * terms[1]
        }
    }

    /// ∂objective/∂(batch-mean analytic KL): β(step), γ·sign(KL − C), 1 for FactorVAE and DIP-VAE
    /// (their KL term is the VAE's), 0 for β-TCVAE (its KL enters through the three sampled terms)
    /// and the autoencoder.
    public func klWeight(kl: Double, step: Int) -> Double {
        switch self {
        case .beta: return weight(atStep: step)
        case .capacity(let gamma, _, _, _):
            let gap = kl - capacity(atStep: step)
            return gap > 0 ? gamma : (gap < 0 ? -gamma : 0)
        case .deterministic, .tcvae: return 0
        case .factorVAE, .dipVAE: return 1
        }
    }
}
