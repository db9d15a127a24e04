import Engine
import Foundation

/// What one training step measured on its batch (per-image means, in nats).
public struct StepMeasurement: Sendable {
    /// The objective's value.
    public var loss: Double
    /// Reconstruction NLL.
    public var recon: Double
    /// KL(q(z|x) ‖ p(z)) summed over dimensions.
    public var kl: Double
    /// KL per latent dimension `[Z]`.
    public var klPerDimension: [Double]
    /// The capacity C in force at this step (0 unless annealing capacity).
    public var capacity: Double
    /// The objective's own terms (`Objective.termNames`), empty for β, capacity and the autoencoder.
    public var terms: [Double] = []
    /// The codes z the decoder read `[N, Z]` (FactorVAE's discriminator learns from them).
    public var code: Tensor? = nil
}

/// A variational autoencoder (Kingma & Welling 2014) with explicit forward and backward passes.
///
/// Encoder q(z|x) = N(μ(x), diag σ²(x)), prior N(0, I), decoder p(x|z) Bernoulli or unit-variance
/// Gaussian. Parameter names follow the PyTorch module in the README (`features.*`, `encoder.*`,
/// `decoder.*`), so checkpoints load with `load_state_dict`.
public final class VAE {
    public let spec: ModelSpec
    let features: Sequential
    let encoder: Sequential
    let decoder: Sequential
    /// The features stage has no parameters (MLP: only Flatten), so backprop stops at the encoder.
    private let featuresAreFixed: Bool
    private var featureWidth = 0

    /// A model with PyTorch's default initialisation drawn from `rng`.
    public init(spec: ModelSpec, rng: inout RandomGenerator) {
        precondition(spec.latent > 0, "latent must be positive")
        precondition(spec.architecture.misfit(imageShape: spec.imageShape) == nil, "architecture does not fit the images")
        self.spec = spec
        (features, encoder, decoder) = spec.architecture.build(imageShape: spec.imageShape, hidden: spec.hidden,
                                                               latent: spec.latent, conditionClasses: spec.conditionClasses,
                                                               rng: &rng)
        featuresAreFixed = features.namedParameters.isEmpty
        if featuresAreFixed { encoder.skipInputGradient() } else { features.skipInputGradient() }
    }

    /// Parameters with their PyTorch state-dict names, in a fixed order.
    public var namedParameters: [NamedParameter] {
        features.namedParameters.map { ("features.\($0.name)", $0.parameter) }
            + encoder.namedParameters.map { ("encoder.\($0.name)", $0.parameter) }
            + decoder.namedParameters.map { ("decoder.\($0.name)", $0.parameter) }
    }

    /// Number of scalar parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// q(z|x): images `[N, C, H, W]` (and labels for a conditional model) → μ, log σ² `[N, Z]`.
    public func encode(_ images: Tensor, labels: [Int] = []) -> (mean: Tensor, logVariance: Tensor) {
        let h = features.forward(images)
        featureWidth = h.columns
        let output = encoder.forward(LabelConcatenation.append(h, labels: labels, classes: spec.conditionClasses))
        return PosteriorHalves.split(output)
    }

    /// The decoder's raw output for codes z `[N, Z]`: logits (Bernoulli) or means (Gaussian), `[N, C, H, W]`.
    public func decode(_ z: Tensor, labels: [Int] = []) -> Tensor {
        decoder.forward(LabelConcatenation.append(z, labels: labels, classes: spec.conditionClasses))
    }

    /// Decoded images in [0, 1] for codes z `[N, Z]`.
    public func decodeImages(_ z: Tensor, labels: [Int] = []) -> Tensor {
        spec.likelihood.mean(decode(z, labels: labels))
    }

    /// One forward and backward pass on a batch: accumulates ∂objective/∂θ into every parameter's
    /// gradient (zero them first) and returns the batch's measurements.
    ///
    /// z = μ + σ·ε with ε from `rng` (z = μ for the autoencoder); the objective is the per-image
    /// mean over the batch, so every gradient carries a factor 1/N. The objective's forward and
    /// backward are `ObjectiveLoss`'s; this composes them with the three stages. β-TCVAE needs the
    /// training set's size `datasetSize`, FactorVAE its `discriminator` (whose own step is the caller's).
    public func trainStep(images: Tensor, labels: [Int] = [], objective: Objective, step: Int, datasetSize: Int = 0,
                          discriminator: Discriminator? = nil, rng: inout RandomGenerator) -> StepMeasurement {
        let loss = ObjectiveLoss(objective: objective, likelihood: spec.likelihood, datasetSize: datasetSize, discriminator: discriminator)
        let (mean, logVariance) = encode(images, labels: labels)
        let noise = loss.noise(like: mean, rng: &rng)
        let output = decode(loss.code(mean: mean, logVariance: logVariance, noise: noise), labels: labels)
        let terms = loss.forward(output: output, images: images, mean: mean, logVariance: logVariance, noise: noise, step: step)

        let codeGradient = LabelConcatenation.appendBackward(decoder.backward(terms.outputGradient), width: spec.latent)
        let (dMean, dLogVariance) = loss.backward(terms, codeGradient: codeGradient)
        let featureGradient = encoder.backward(PosteriorHalves.join(mean: dMean, logVariance: dLogVariance))
        if !featuresAreFixed {
            _ = features.backward(LabelConcatenation.appendBackward(featureGradient, width: featureWidth))
        }
        return StepMeasurement(terms)
    }
}
