/// The sizes a model may have, checked once where they enter (options and config.json) so that
/// no value from outside reaches an allocation unchecked. The limits are far above any published
/// β-VAE (Z ≤ 32, hidden ≤ 1200) and keep a model with its gradients and Adam moments under ~2 GB.
extension ModelSpec {
    /// Largest latent size Z.
    public static let latentLimit = 1024
    /// Largest MLP hidden layer.
    public static let hiddenLimit = 16_384
    /// Largest number of parameters (×4 with gradients and Adam's moments, 4 bytes each: 1.6 GB).
    public static let parameterLimit = 100_000_000
    /// Largest image side and channel count the datasets produce.
    public static let imageSideLimit = 1024
    /// Largest number of label classes of a conditional model.
    public static let classLimit = 1000

    /// Parameters of this spec's model (weights and biases of every layer), computed without
    /// building it; nil when the count overflows. The MLP is the only one whose size grows with
    /// options beyond Z: D-H₁-…-2Z and Z-…-H₁-D, each layer `in·out + out`.
    public var parameterCount: Int? {
        let k = conditionClasses
        var widths: [Int]
        var decoderWidths: [Int]
        switch architecture {
        case .mlp:
            widths = [imageSize + k] + hidden + [2 * latent]
            decoderWidths = [latent + k] + hidden.reversed() + [imageSize]
        case .conv28:
            // The convolutions are fixed in size; count the fully connected layers, which carry Z and K.
            widths = [64 * 7 * 7 + k, 256, 2 * latent]
            decoderWidths = [latent + k, 256, 64 * 7 * 7]
        case .burgess:
            widths = [32 * 4 * 4 + k, 256, 256, 2 * latent]
            decoderWidths = [latent + k, 256, 256, 32 * 4 * 4]
        case .conv64:
            widths = [256 + k, 2 * latent]
            decoderWidths = [latent + k, 256]
        case .dislib:
            widths = [64 * 5 * 5 + k, 256, 2 * latent]
            decoderWidths = [latent + k, 256, 64 * 4 * 4]
        }
        var total = 0
        for layers in [widths, decoderWidths] {
            for (input, output) in zip(layers, layers.dropFirst()) {
                let (weights, o1) = input.multipliedReportingOverflow(by: output)
                let (sum, o2) = total.addingReportingOverflow(weights)
                let (withBias, o3) = sum.addingReportingOverflow(output)
                if o1 || o2 || o3 { return nil }
                total = withBias
            }
        }
        return total
    }

    /// Why this spec cannot be built (every size against its limit, the architecture against the
    /// image size), or nil when it can. Messages name the setting and the limit.
    public var problem: String? {
        guard imageShape.count == 3, imageShape.allSatisfy({ (1...Self.imageSideLimit).contains($0) }),
              [1, 3].contains(imageShape[0]) else {
            return "imageShape must be [C, H, W] with C = 1 or 3 and sides 1…\(Self.imageSideLimit), not \(imageShape)"
        }
        guard (1...Self.latentLimit).contains(latent) else { return "latent must be 1…\(Self.latentLimit), not \(latent)" }
        guard (0...Self.classLimit).contains(conditionClasses), conditionClasses != 1 else {
            return "conditionClasses must be 0 (unconditional) or 2…\(Self.classLimit), not \(conditionClasses)"
        }
        if architecture == .mlp {
            guard !hidden.isEmpty, hidden.allSatisfy({ (1...Self.hiddenLimit).contains($0) }) else {
                return "hidden sizes must each be 1…\(Self.hiddenLimit), not \(hidden)"
            }
        }
        if let misfit = architecture.misfit(imageShape: imageShape) { return misfit }
        guard let count = parameterCount, count <= Self.parameterLimit else {
            return "the model would have more than \(Self.parameterLimit) parameters; use smaller hidden sizes or latent"
        }
        return nil
    }
}

extension Objective {
    /// Most hidden layers of FactorVAE's discriminator (the paper's has 6).
    public static let discriminatorLayerLimit = 16

    /// The largest weight of any objective term (β, γ, α, the TC weight, λ_od, λ_d). The loss is
    /// Float32 (largest 3.4·10³⁸): a batch of 65,536 images with a KL term of 10⁷ nats each and a
    /// weight of 10⁶ sums to under 10¹⁸, far from overflow, while β = 10³⁰ overflowed at once
    /// (issue 25). Published settings stay far below it (β ≤ 250, γ = 1000, λ ≤ 100).
    public static let weightLimit = 1e6
    /// The largest capacity C, in nats (Burgess et al. 2018 anneal to 25–50); with γ ≤ 10⁶ the
    /// term γ·|KL − C| stays as far from overflow as the weights.
    public static let capacityLimit = 1e6

    /// Why a weight named `name` (as the caller spells it) cannot be used, or nil: it must be
    /// finite and in 0…`weightLimit` (`limit` for capacities).
    public static func weightProblem(_ name: String, _ value: Double, limit: Double = weightLimit) -> String? {
        guard value.isFinite, value >= 0 else { return "\(name) must be a finite number ≥ 0, not \(value)" }
        guard value <= limit else {
            return "\(name) must be at most \(compactNumber(limit)), not \(value) (a larger weight can overflow the single-precision loss)"
        }
        return nil
    }

    /// Why this objective's settings cannot train (weights negative or not finite, sizes out of
    /// range), or nil. Messages name the setting as config.json spells it.
    public var problem: String? {
        func weights(_ named: [(String, Double)]) -> String? {
            named.lazy.compactMap { Self.weightProblem($0.0, $0.1) }.first
        }
        switch self {
        case let .beta(beta, warmup):
            return weights([("beta", beta)]) ?? (warmup >= 0 ? nil : "warmup must be ≥ 0 steps, not \(warmup)")
        case let .capacity(gamma, start, maximum, steps):
            if let problem = weights([("gamma", gamma)]) { return problem }
            guard start.isFinite, start >= 0, maximum.isFinite, maximum >= 0 else {
                return "capacity start and max must be finite numbers of nats ≥ 0, not \(start) and \(maximum)"
            }
            if let problem = Self.weightProblem("capacity start", start, limit: Self.capacityLimit)
                ?? Self.weightProblem("capacity max", maximum, limit: Self.capacityLimit) { return problem }
            return steps >= 0 ? nil : "capacity steps must be ≥ 0, not \(steps)"
        case .deterministic:
            return nil
        case .tcvae(let s):
            return weights([("alpha", s.alpha), ("beta", s.tcWeight), ("gamma", s.dimensionWeight)])
        case .factorVAE(let s):
            if let problem = weights([("gamma", s.gamma)]) { return problem }
            guard (1...Self.discriminatorLayerLimit).contains(s.discriminatorLayers) else {
                return "discriminatorLayers must be 1…\(Self.discriminatorLayerLimit), not \(s.discriminatorLayers)"
            }
            guard (1...ModelSpec.hiddenLimit).contains(s.discriminatorHidden) else {
                return "discriminatorHidden must be 1…\(ModelSpec.hiddenLimit), not \(s.discriminatorHidden)"
            }
            let width = s.discriminatorHidden
            guard (s.discriminatorLayers - 1) * width * (width + 1) <= ModelSpec.parameterLimit else {
                return "the discriminator would have more than \(ModelSpec.parameterLimit) parameters; use fewer or narrower layers"
            }
            return nil
        case .dipVAE(let s):
            return weights([("lambdaOD", s.lambdaOffDiagonal), ("lambdaD", s.lambdaDiagonal)])
        }
    }
}
