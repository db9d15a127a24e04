import Engine
import Foundation
import Models
import Testing

/// `ObjectiveLoss` on its own: its forward against the formulas, and its backward against central
/// differences (`FiniteDifference`) of L + Σ g ⊙ z, where g stands for the ∂L/∂z a decoder's
/// backward would give, so ∂/∂μ and ∂/∂log σ² include the path through z.
@Suite struct ObjectiveLossTests {
    struct Batch {
        var output: Tensor, images: Tensor, mean: Tensor, logVariance: Tensor, noise: Tensor, codeGradient: Tensor
    }

    /// N = 3 images of 2×3 pixels, Z = 2.
    func batch(seed: UInt64) -> Batch {
        var rng = RandomGenerator(seed: seed)
        func scaled(_ t: Tensor, _ s: Float) -> Tensor { Tensor(shape: t.shape, scalars: t.scalars.map { $0 * s }) }
        return Batch(output: scaled(rng.normalTensor(shape: [3, 1, 2, 3]), 2),
                     images: rng.uniformTensor(shape: [3, 1, 2, 3], low: 0, high: 1),
                     mean: rng.normalTensor(shape: [3, 2]), logVariance: scaled(rng.normalTensor(shape: [3, 2]), 0.7),
                     noise: rng.normalTensor(shape: [3, 2]), codeGradient: rng.normalTensor(shape: [3, 2]))
    }

    static let objectives: [Objective] = [
        .beta(4), .beta(0.5), .beta(3, warmup: 200),              // β(50) = 0.75
        .capacity(gamma: 10, start: 0, max: 0, steps: 1),        // C = 0 < K: w = +γ
        .capacity(gamma: 7, start: 0, max: 40, steps: 100),      // C(50) = 20 > K: w = −γ
        .deterministic,
        .tcvae(TCVAESettings(alpha: 1.5, tcWeight: 6, dimensionWeight: 0.5)),
        .tcvae(TCVAESettings(alpha: 0.5, tcWeight: 2, dimensionWeight: 3, sampling: .stratified)),
        .factorVAE(FactorVAESettings(gamma: 3, discriminatorLayers: 2, discriminatorHidden: 6)),
        .dipVAE(DIPVAESettings(variant: .i, lambdaOffDiagonal: 2, lambdaDiagonal: 5)),
        .dipVAE(DIPVAESettings(variant: .ii, lambdaOffDiagonal: 3)),
    ]

    /// The objective's loss, with a training set of 100 images for β-TCVAE and a 2 × 6 discriminator for FactorVAE.
    static func loss(_ objective: Objective, _ likelihood: Likelihood) -> ObjectiveLoss {
        var rng = RandomGenerator(seed: 5)
        let discriminator: Discriminator? = if case .factorVAE(let s) = objective {
            Discriminator(latent: 2, layers: s.discriminatorLayers, hidden: s.discriminatorHidden, rng: &rng)
        } else { nil }
        return ObjectiveLoss(objective: objective, likelihood: likelihood, datasetSize: 100, discriminator: discriminator)
    }

    /// ∂output, ∂μ and ∂log σ² against central differences: relative errors below 2e-3 in Float32.
    @Test(arguments: [Likelihood.bernoulli, .gaussian], objectives)
    func backwardMatchesFiniteDifferences(_ likelihood: Likelihood, objective: Objective) {
        let loss = Self.loss(objective, likelihood)
        let b = batch(seed: 31)
        let step = 50
        func total(output: Tensor, mean: Tensor, logVariance: Tensor) -> Double {
            let terms = loss.forward(output: output, images: b.images, mean: mean, logVariance: logVariance, noise: b.noise, step: step)
            let z = loss.code(mean: mean, logVariance: logVariance, noise: b.noise)
            return terms.loss + (0..<z.count).reduce(0.0) { $0 + Double(z[$1]) * Double(b.codeGradient[$1]) }
        }
        let terms = loss.forward(output: b.output, images: b.images, mean: b.mean, logVariance: b.logVariance, noise: b.noise, step: step)
        if case .capacity = objective { #expect(abs(terms.klWeight) == objective.weight && abs(terms.kl - terms.capacity) > 0.1) }
        let (dMean, dLogVariance) = loss.backward(terms, codeGradient: b.codeGradient)
        let comparisons = [
            ("output", FiniteDifference.check(at: b.output, analytic: terms.outputGradient) { total(output: $0, mean: b.mean, logVariance: b.logVariance) }),
            ("mean", FiniteDifference.check(at: b.mean, analytic: dMean) { total(output: b.output, mean: $0, logVariance: b.logVariance) }),
            ("logVariance", FiniteDifference.check(at: b.logVariance, analytic: dLogVariance) { total(output: b.output, mean: b.mean, logVariance: $0) }),
        ]
        for (name, comparison) in comparisons {
            #expect(comparison.relativeError < 2e-3, "\(name): \(comparison)")
        }
        if objective == .deterministic {
            #expect(dLogVariance.maxAbs() == 0 && dMean == b.codeGradient)
        } else {
            #expect(dLogVariance.maxAbs() > 0)
        }
    }

    /// The terms against their definitions, per objective.
    @Test(arguments: objectives)
    func forwardTerms(_ objective: Objective) {
        let loss = Self.loss(objective, .gaussian)
        let b = batch(seed: 32)
        let terms = loss.forward(output: b.output, images: b.images, mean: b.mean, logVariance: b.logVariance, noise: b.noise, step: 50)
        var recon = 0.0
        for i in 0..<3 {
            var squares = 0.0
            for p in 0..<6 { squares += pow(Double(b.output[i * 6 + p] - b.images[i * 6 + p]), 2) }
            let expected = 0.5 * squares + 3 * log(2 * Double.pi)
            #expect(abs(Double(terms.reconstruction[i]) - expected) < 1e-4)
            recon += expected / 3
        }
        #expect(abs(terms.recon - recon) < 1e-4)
        var kl = 0.0
        for i in 0..<6 {
            let (m, v) = (Double(b.mean[i]), Double(b.logVariance[i]))
            kl += 0.5 * (m * m + exp(v) - 1 - v) / 3
        }
        switch objective {
        case let .beta(beta, warmup):
            #expect(abs(terms.kl - kl) < 1e-5)
            let weight = warmup > 0 ? beta * 50 / Double(warmup) : beta
            #expect(abs(terms.loss - (terms.recon + weight * terms.kl)) < 1e-9)
        case .capacity(let gamma, _, _, _):
            #expect(abs(terms.kl - kl) < 1e-5)
            #expect(terms.capacity == objective.capacity(atStep: 50))
            #expect(abs(terms.loss - (terms.recon + gamma * abs(terms.kl - terms.capacity))) < 1e-9)
        case .deterministic:
            #expect(terms.kl == 0 && terms.klPerDimension == [0, 0] && terms.klPerElement.maxAbs() == 0)
            #expect(terms.loss == terms.recon && terms.klWeight == 0)
        case .tcvae(let s):
            let t = terms.objectiveTerms
            #expect(abs(terms.loss - (terms.recon + s.alpha * t[0] + s.tcWeight * t[1] + s.dimensionWeight * t[2])) < 1e-9)
            #expect(abs(terms.kl - kl) < 1e-5 && terms.klWeight == 0)
        case .factorVAE(let s):
            #expect(abs(terms.loss - (terms.recon + terms.kl + s.gamma * terms.objectiveTerms[0])) < 1e-9)
        case .dipVAE(let s):
            let t = terms.objectiveTerms
            #expect(abs(terms.loss - (terms.recon + terms.kl + s.lambdaOffDiagonal * t[0] + s.lambdaDiagonal * t[1])) < 1e-9)
        }
        #expect(terms.objectiveTerms.count == objective.termNames.count)
        #expect(abs(terms.klPerDimension.reduce(0, +) - terms.kl) < 1e-12)
    }

    /// The autoencoder decodes μ itself and draws no noise; the others decode μ + σ·ε.
    @Test func codeAndNoise() {
        let b = batch(seed: 33)
        var rng = RandomGenerator(seed: 1), untouched = rng
        let autoencoder = ObjectiveLoss(objective: .deterministic, likelihood: .bernoulli)
        #expect(autoencoder.noise(like: b.mean, rng: &rng).maxAbs() == 0)
        #expect(rng.next() == untouched.next())
        #expect(autoencoder.code(mean: b.mean, logVariance: b.logVariance, noise: b.noise) == b.mean)
        let vae = ObjectiveLoss(objective: .beta(1), likelihood: .bernoulli)
        let z = vae.code(mean: b.mean, logVariance: b.logVariance, noise: b.noise)
        #expect(abs(z[4] - (b.mean[4] + exp(0.5 * b.logVariance[4]) * b.noise[4])) < 1e-6)
        #expect(vae.noise(like: b.mean, rng: &rng).shape == [3, 2])
    }

    /// `weight` is β, or γ for capacity, 0 for the autoencoder.
    @Test func objectiveWeight() {
        #expect(Objective.beta(4).weight == 4)
        #expect(Objective.capacity(gamma: 1000, start: 0, max: 25, steps: 10).weight == 1000)
        #expect(Objective.deterministic.weight == 0)
    }
}
