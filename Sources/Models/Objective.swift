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

/// The training objective, per image in nats.
/// In config.json: `{"kind": "beta", "beta": 4}`, `{"kind": "capacity", "gamma": 1000, "start": 0,
/// "max": 25, "steps": 100000}` or `{"kind": "deterministic"}`.
public enum Objective: Codable, Equatable, Sendable {
    /// recon + β·KL (Higgins et al. 2017); β = 1 is the VAE (Kingma & Welling 2014).
    case beta(Double)
    /// recon + γ·|KL − C| with C rising linearly from `start` to `max` nats over `steps` steps
    /// (Burgess et al. 2018).
    case capacity(gamma: Double, start: Double, max: Double, steps: Int)
    /// A plain autoencoder: z = μ, no KL term.
    case deterministic

    /// The capacity C at optimiser step `step` (0 unless annealing capacity).
    public func capacity(atStep step: Int) -> Double {
        guard case let .capacity(_, start, maximum, steps) = self else { return 0 }
        guard steps > 0 else { return maximum }
        return start + (maximum - start) * min(Double(step) / Double(steps), 1)
    }

    /// The weight of the KL term: β, or γ for capacity, 0 for the autoencoder. It is what the
    /// `beta` column of metrics.csv holds and what runs are ordered by.
    public var weight: Double {
        switch self {
        case .beta(let beta): return beta
        case .capacity(let gamma, _, _, _): return gamma
        case .deterministic: return 0
        }
    }

    /// The objective's value for a batch with mean reconstruction `recon` and mean KL `kl`.
    public func value(recon: Double, kl: Double, step: Int) -> Double {
        switch self {
        case .beta(let beta): return recon + beta * kl
        case .capacity(let gamma, _, _, _): return recon + gamma * abs(kl - capacity(atStep: step))
        case .deterministic: return recon
        }
    }

    /// ∂objective/∂(batch-mean KL): β, or γ·sign(KL − C), or 0.
    public func klWeight(kl: Double, step: Int) -> Double {
        switch self {
        case .beta(let beta): return beta
        case .capacity(let gamma, _, _, _):
            let gap = kl - capacity(atStep: step)
            return gap > 0 ? gamma : (gap < 0 ? -gamma : 0)
        case .deterministic: return 0
        }
    }
}

extension Objective {
    private enum CodingKeys: String, CodingKey { case kind, beta, gamma, start, max, steps }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "beta": self = .beta(try container.decode(Double.self, forKey: .beta))
        case "capacity":
            self = .capacity(gamma: try container.decode(Double.self, forKey: .gamma), start: try container.decode(Double.self, forKey: .start),
                             max: try container.decode(Double.self, forKey: .max), steps: try container.decode(Int.self, forKey: .steps))
        case "deterministic": self = .deterministic
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown objective '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .beta(let beta):
            try container.encode("beta", forKey: .kind)
            try container.encode(beta, forKey: .beta)
        case let .capacity(gamma, start, maximum, steps):
            try container.encode("capacity", forKey: .kind)
            try container.encode(gamma, forKey: .gamma)
            try container.encode(start, forKey: .start)
            try container.encode(maximum, forKey: .max)
            try container.encode(steps, forKey: .steps)
        case .deterministic:
            try container.encode("deterministic", forKey: .kind)
        }
    }
}
