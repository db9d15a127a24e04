import Engine
import Foundation

/// DIP-VAE's moment penalty (Kumar et al. 2018, eq. 6 and 7) on a batch, with its gradient.
///
/// Shapes: μ, log σ² `[M, D]`; the covariance C `[D, D]`. With m = mean over the batch of μ,
///
///     DIP-VAE-I:   C = Cov(μ) = (1/M) Σᵢ (μᵢ − m)(μᵢ − m)ᵀ
///     DIP-VAE-II:  C = Cov(μ) + (1/M) Σᵢ diag(σᵢ²)          (the covariance of q(z))
///     penalty = λ_od Σₐ≠ᵦ Cₐᵦ² + λ_d Σₐ (Cₐₐ − 1)²
///
/// (the batch covariance divides by M, as disentanglement_lib's). With G = ∂penalty/∂C, symmetric,
/// Gₐᵦ = 2λ_od Cₐᵦ (a ≠ b) and Gₐₐ = 2λ_d (Cₐₐ − 1):
///
///     ∂penalty/∂μᵢ = (2/M) G (μᵢ − m)          (the terms through m cancel: Σᵢ (μᵢ − m) = 0)
///     ∂penalty/∂log σ²ᵢₐ = Gₐₐ σ²ᵢₐ / M        (DIP-VAE-II only)
public struct DIPPenalty: Sendable {
    public let settings: DIPVAESettings

    public init(_ settings: DIPVAESettings) { self.settings = settings }

    /// The batch's penalty, its two unweighted sums and the covariance it was computed from.
    public struct Value: Sendable {
        /// Σₐ≠ᵦ Cₐᵦ² and Σₐ (Cₐₐ − 1)².
        public var offDiagonal: Double, diagonal: Double
        /// λ_od·offDiagonal + λ_d·diagonal.
        public var penalty: Double
        /// C, row-major `[D·D]`.
        public var covariance: [Double]
    }

    /// C and the penalty for a batch.
    public func forward(mean: Tensor, logVariance: Tensor) -> Value {
        let m = mean.rows, d = mean.columns
        let centred = Self.centred(mean)
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<m {
            for a in 0..<d { for b in 0..<d { c[a * d + b] += centred[i * d + a] * centred[i * d + b] } }
        }
        for k in c.indices { c[k] /= Double(max(m, 1)) }
        if settings.variant == .ii {
            for i in 0..<m { for a in 0..<d { c[a * d + a] += Foundation.exp(Double(logVariance[i * d + a])) / Double(m) } }
        }
        var offDiagonal = 0.0, diagonal = 0.0
        for a in 0..<d {
            for b in 0..<d {
                if a == b { diagonal += (c[a * d + a] - 1) * (c[a * d + a] - 1) } else { offDiagonal += c[a * d + b] * c[a * d + b] }
            }
        }
        return Value(offDiagonal: offDiagonal, diagonal: diagonal,
                     penalty: settings.lambdaOffDiagonal * offDiagonal + settings.lambdaDiagonal * diagonal, covariance: c)
    }

    /// ∂penalty/∂μ and ∂penalty/∂log σ² `[M, D]` (the latter zero for DIP-VAE-I).
    public func backward(_ value: Value, mean: Tensor, logVariance: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let m = mean.rows, d = mean.columns
        var g = value.covariance
        for a in 0..<d {
            for b in 0..<d {
                g[a * d + b] = a == b ? 2 * settings.lambdaDiagonal * (g[a * d + a] - 1) : 2 * settings.lambdaOffDiagonal * g[a * d + b]
            }
        }
        let centred = Self.centred(mean)
        var dMean = Tensor(shape: mean.shape), dLogVariance = Tensor(shape: mean.shape)
        for i in 0..<m {
            for a in 0..<d {
                var total = 0.0
                for b in 0..<d { total += g[a * d + b] * centred[i * d + b] }
                dMean[i * d + a] = Float(2 * total / Double(m))
                if settings.variant == .ii {
                    dLogVariance[i * d + a] = Float(g[a * d + a] * Foundation.exp(Double(logVariance[i * d + a])) / Double(m))
                }
            }
        }
        return (dMean, dLogVariance)
    }

    /// μᵢ − m in Double, `[M·D]`.
    private static func centred(_ mean: Tensor) -> [Double] {
        let m = mean.rows, d = mean.columns
        var average = [Double](repeating: 0, count: d)
        for i in 0..<m { for a in 0..<d { average[a] += Double(mean[i * d + a]) / Double(m) } }
        return (0..<(m * d)).map { Double(mean[$0]) - average[$0 % d] }
    }
}
