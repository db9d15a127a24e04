import Engine

/// The training objective of a VAE as one layer with a paired forward and backward (as llm.c pairs
/// its layers): the reparameterisation, the reconstruction likelihood and the KL term, from the
/// decoder's output, the images, the posterior's μ and log σ², the noise and the optimiser step to
/// the loss terms, and back to ∂output, ∂μ and ∂log σ².
///
/// Shapes (N images in the batch, Z latent dimensions, C·H·W pixels per image):
///
///     mean μ, logVariance log σ², noise ε, code z, codeGradient ∂L/∂z   [N, Z]
///     output x̂ (logits or means), images x, outputGradient ∂L/∂x̂       [N, C, H, W]
///
/// Forward, with σ = e^(½ log σ²):
///
///     z = μ + σ·ε                                     (z = μ for the autoencoder)
///     reconᵢ = −log p(xᵢ | x̂ᵢ)                        Bernoulli from logits, or unit-variance Gaussian
///     KLᵢⱼ = ½(μᵢⱼ² + σᵢⱼ² − 1 − log σᵢⱼ²)            KL(q(zᵢⱼ | xᵢ) ‖ N(0, 1))
///     R = (1/N) Σᵢ reconᵢ,   K = (1/N) Σᵢ Σⱼ KLᵢⱼ
///     β-VAE (Higgins et al. 2017):       L = R + β·K          (β = 1: Kingma & Welling 2014)
///     capacity (Burgess et al. 2018):    L = R + γ·|K − C(step)|
///     deterministic autoencoder:         L = R                (no KL; K reported as 0)
///
/// Backward, with w = ∂L/∂K = β, γ·sign(K − C) or 0, and ∂L/∂z from the decoder's backward:
///
///     ∂L/∂x̂ = (σ(x̂) − x)/N (Bernoulli), (x̂ − x)/N (Gaussian)
///     ∂L/∂μ = ∂L/∂z + w·μ/N
///     ∂L/∂log σ² = ∂L/∂z · ε · ½σ + w·½(σ² − 1)/N    (∂L/∂z only through μ for the autoencoder)
///
/// One step composes it with the decoder, which sits between its two halves:
///
///     let z = loss.code(mean: μ, logVariance: logσ², noise: ε)       // forward, posterior half
///     let x̂ = decoder.forward(z)
///     let terms = loss.forward(output: x̂, images: x, mean: μ, logVariance: logσ², noise: ε, step: t)
///     let dz = decoder.backward(terms.outputGradient)                // ∂L/∂x̂ comes with the forward
///     let (dμ, dlogσ²) = loss.backward(terms, codeGradient: dz)     // backward, posterior half
///
/// ∂L/∂x̂ is computed by `forward` because the likelihood's kernel yields the NLL and its gradient
/// in one pass over the pixels (and the value the step reports is the one that pass sums).
public struct ObjectiveLoss: Sendable {
    public let objective: Objective
    public let likelihood: Likelihood

    /// The objective `objective` with the reconstruction term of `likelihood`.
    public init(objective: Objective, likelihood: Likelihood) {
        self.objective = objective
        self.likelihood = likelihood
    }

    /// Whether z is sampled (false for the autoencoder, where z = μ and ε is neither drawn nor used).
    public var samples: Bool { objective != .deterministic }

    /// The result of `forward`: the loss terms, ∂L/∂output and what `backward` needs.
    public struct Terms {
        /// reconᵢ, the reconstruction NLL of each image `[N]`.
        public let reconstruction: [Float]
        /// KLᵢⱼ `[N, Z]` (zeros for the autoencoder).
        public let klPerElement: Tensor
        /// R, the batch mean of reconᵢ.
        public let recon: Double
        /// (1/N) Σᵢ KLᵢⱼ for each dimension `[Z]` (zeros for the autoencoder).
        public let klPerDimension: [Double]
        /// K, the batch-mean KL summed over dimensions (0 for the autoencoder).
        public let kl: Double
        /// C(step), the capacity in force (0 unless annealing capacity).
        public let capacity: Double
        /// L, the objective's value for the batch.
        public let loss: Double
        /// w = ∂L/∂K: β, γ·sign(K − C), or 0.
        public let klWeight: Double
        /// ∂L/∂output `[N, C, H, W]`, for the decoder's backward.
        public let outputGradient: Tensor
        let mean: Tensor, logVariance: Tensor, noise: Tensor
    }

    /// ε ~ N(0, I) shaped like μ `[N, Z]`, drawn from `rng`; for the autoencoder zeros, drawing nothing.
    public func noise(like mean: Tensor, rng: inout RandomGenerator) -> Tensor {
        samples ? rng.normalTensor(shape: mean.shape) : Tensor(shape: mean.shape)
    }

    /// Forward, posterior half: the code z = μ + σ·ε `[N, Z]` the decoder reads (z = μ for the autoencoder).
    public func code(mean: Tensor, logVariance: Tensor, noise: Tensor) -> Tensor {
        samples ? Losses.reparameterize(mean: mean, logVariance: logVariance, noise: noise) : mean
    }

    /// Forward, loss half: the terms of a batch and ∂L/∂output, for the decoder's `output` of the
    /// code `code(mean:logVariance:noise:)` gave.
    public func forward(output: Tensor, images: Tensor, mean: Tensor, logVariance: Tensor, noise: Tensor,
                        step: Int) -> Terms {
        precondition(mean.shape == logVariance.shape && mean.shape == noise.shape,
                     "objective: μ \(mean.shape), log σ² \(logVariance.shape), ε \(noise.shape)")
        precondition(output.rows == mean.rows, "objective: \(output.rows) outputs for \(mean.rows) codes")
        let n = mean.rows, z = mean.columns
        let (reconstruction, outputGradient) = likelihood.negativeLogLikelihood(output: output, images: images,
                                                                               gradientScale: 1 / Float(n))
        let recon = reconstruction.reduce(0.0) { $0 + Double($1) } / Double(n)
        var klPerElement = Tensor(shape: mean.shape)
        var klPerDimension = [Double](repeating: 0, count: z)
        if samples {
            klPerElement = Losses.gaussianKL(mean: mean, logVariance: logVariance)
            for row in 0..<n { for j in 0..<z { klPerDimension[j] += Double(klPerElement[row * z + j]) } }
            klPerDimension = klPerDimension.map { $0 / Double(n) }
        }
        let kl = samples ? klPerDimension.reduce(0, +) : 0
        return Terms(reconstruction: reconstruction, klPerElement: klPerElement, recon: recon,
                     klPerDimension: klPerDimension, kl: kl, capacity: objective.capacity(atStep: step),
                     loss: objective.value(recon: recon, kl: kl, step: step), klWeight: objective.klWeight(kl: kl, step: step),
                     outputGradient: outputGradient!, mean: mean, logVariance: logVariance, noise: noise)
    }

    /// Backward, posterior half: ∂L/∂μ and ∂L/∂log σ² `[N, Z]`, through z (given ∂L/∂z
    /// `codeGradient` from the decoder's backward) and through the KL term.
    public func backward(_ terms: Terms, codeGradient: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        precondition(codeGradient.shape == terms.mean.shape, "objective: ∂z \(codeGradient.shape) for z \(terms.mean.shape)")
        var (dMean, dLogVariance) = samples
            ? Losses.reparameterizeBackward(codeGradient, logVariance: terms.logVariance, noise: terms.noise)
            : (codeGradient, Tensor(shape: terms.mean.shape))
        let klWeight = Float(terms.klWeight)
        if klWeight != 0 {
            let scale = 1 / Float(terms.mean.rows)
            let (klMean, klLogVariance) = Losses.gaussianKLGradient(mean: terms.mean, logVariance: terms.logVariance,
                                                                    scale: klWeight * scale)
            for i in 0..<dMean.count {
                dMean[i] += klMean[i]
                dLogVariance[i] += klLogVariance[i]
            }
        }
        return (dMean, dLogVariance)
    }
}

extension StepMeasurement {
    /// The measurements of a step from its objective's terms.
    init(_ terms: ObjectiveLoss.Terms) {
        self.init(loss: terms.loss, recon: terms.recon, kl: terms.kl, klPerDimension: terms.klPerDimension,
                  capacity: terms.capacity)
    }
}
