import Engine
import Foundation

/// InfoMEC (Hsu, Dorrell, Whittington, Wu & Finn 2023, "Disentanglement via Latent Quantization",
/// NeurIPS, §4 and Appendix; Hsu, Hamid, Burns, Finn & Wu 2023, "Tripod: Three Complementary Inductive
/// Biases for Disentangled Representation Learning"): modularity (InfoM), compactness (InfoC) and
/// explicitness (InfoE), all from normalised mutual information, in [0, 1] with 1 best.
///
/// NMI_ij = I(f_i; z_j) / H(f_i) over the factors i = 1…F and the *active* latents j = 1…L, those
/// whose range exceeds 1/20 of the largest latent's range (the paper's pruning rule; latents the
/// caller marks inactive are left out too). Then
///
///     InfoM = ( (1/L) Σ_j max_i NMI_ij / Σ_i NMI_ij − 1/F ) / (1 − 1/F)
///     InfoC = ( (1/F) Σ_i max_j NMI_ij / Σ_j NMI_ij − 1/L ) / (1 − 1/L)
///     InfoE = (1/F) Σ_i ( H(f_i) − CE_i ) / H(f_i)
///
/// where CE_i is the training log loss (nats) of a multinomial logistic regression predicting f_i from
/// all standardised latents, and H(f_i) is the log loss of the best feature-less model. A latent
/// (or factor) whose NMI row (column) is all zero counts at chance, 1/F (1/L). With a single factor
/// InfoM is 1 for any informative code; with a single active latent InfoC is 1.
///
/// Estimators, and where they differ from the authors' code (kylehkhsu/latent_quantization,
/// `infomec.py`): I(f; z) is the binned plug-in estimate MIG uses (20 equal-width bins, natural
/// logarithms; the authors use scikit-learn's k-nearest-neighbour estimator, `mutual_info_classif`
/// with 10 neighbours, for continuous latents); the regression is `LogisticRegression`, scikit-learn's
/// `LogisticRegression(C=c)` fitted by Newton-CG to its optimum (L2 with C = `defaultC` = 1, scikit-learn's
/// default; the authors fit it unpenalised with balanced class weights by L-BFGS). The penalty keeps
/// the fit finite when a factor is linearly separable (unpenalised, the weights would grow without
/// bound and CE tend to 0); it raises CE slightly above the unpenalised optimum, so InfoE is slightly
/// below theirs.
public enum InfoMECScores {
    public struct Result: Equatable, Sendable {
        public var infoM: Double
        public var infoC: Double
        public var infoE: Double
        /// The latents kept by the range rule (and not marked inactive), ascending.
        public var activeLatents: [Int]
    }

    /// The latents whose range exceeds `1/20` of the largest range, minus `inactive`.
    /// `codes` is `[N, Z]` row-major.
    public static func activeLatents(codes: [Float], latent z: Int, inactive: Set<Int> = []) -> [Int] {
        let n = z > 0 ? codes.count / z : 0
        guard n > 0 else { return [] }
        var low = [Float](repeating: .infinity, count: z), high = [Float](repeating: -.infinity, count: z)
        for row in 0..<n {
            for j in 0..<z {
                let v = codes[row * z + j]
                low[j] = min(low[j], v)
                high[j] = max(high[j], v)
            }
        }
        let ranges = (0..<z).map { Double(high[$0] - low[$0]) }
        let largest = ranges.max() ?? 0
        guard largest > 0 else { return [] }
        return (0..<z).filter { ranges[$0] > largest / 20 && !inactive.contains($0) }
    }

    /// InfoM and InfoC of a mutual information matrix `[Z][F]` (nats) with the factors' entropies,
    /// over the latents `active`.
    public static func modularityAndCompactness(matrix: [[Double]], factorEntropies: [Double], active: [Int]) -> (infoM: Double, infoC: Double) {
        let f = factorEntropies.count, l = active.count
        guard f > 0, l > 0 else { return (0, 0) }
        // NMI rows of the active latents: nmi[a][i] = I(f_i; z_active[a]) / H(f_i).
        let nmi = active.map { j in (0..<f).map { i in factorEntropies[i] > 0 ? matrix[j][i] / factorEntropies[i] : 0 } }
        func share(_ values: [Double], chance: Double) -> Double {
            let total = values.reduce(0, +)
            return total > 0 ? (values.max() ?? 0) / total : chance
        }
        let infoM: Double
        if f == 1 {
            infoM = nmi.contains { $0[0] > 0 } ? 1 : 0
        } else {
            let mean = nmi.map { share($0, chance: 1 / Double(f)) }.reduce(0, +) / Double(l)
            infoM = (mean - 1 / Double(f)) / (1 - 1 / Double(f))
        }
        let infoC: Double
        if l == 1 {
            infoC = nmi[0].contains { $0 > 0 } ? 1 : 0
        } else {
            let mean = (0..<f).map { i in share(nmi.map { $0[i] }, chance: 1 / Double(l)) }.reduce(0, +) / Double(f)
            infoC = (mean - 1 / Double(l)) / (1 - 1 / Double(l))
        }
        return (infoM, infoC)
    }

    /// InfoE's inverse regularisation strength: scikit-learn's `LogisticRegression()` default.
    public static let defaultC = 1.0

    /// InfoE: for each factor (classes 0..<K per point, `factors[i][n]`), a multinomial logistic
    /// regression (inverse penalty `c`) from the standardised codes `[N, Z]`; (H(f) − training log
    /// loss) / H(f), averaged over the factors with H(f) > 0.
    public static func explicitness(codes: [Float], latent z: Int, factors: [[Int]], c: Double = defaultC) -> Double {
        let n = factors.first?.count ?? 0
        guard n > 0, z > 0 else { return 0 }
        return explicitness(probes: FactorProbes(train: codes, latent: z, factors: factors, c: c), factors: factors)
    }

    /// InfoE from the factors' regressions already fitted (`FactorProbes`, shared with disentanglement_lib's explicitness).
    static func explicitness(probes: FactorProbes, factors: [[Int]]) -> Double {
        var values: [Double] = []
        for (labels, model) in zip(factors, probes.models) {
            let h = InformationScores.entropy(labels)
            guard h > 0, let model else { continue }
            values.append((h - model.logLoss(probes.train, labels)) / h)
        }
        return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Each column to mean 0 and standard deviation 1 (population sd; constant columns to 0), as
    /// scikit-learn's `StandardScaler` does (`FactorProbes`'s standardisation).
    static func standardise(_ codes: [Float], rows n: Int, latent z: Int) -> [Float] {
        FactorProbes(train: codes, latent: z, factors: []).train.scalars
    }

    /// All three scores of codes `[N, Z]` against factor classes (`factors[i][n]`), from the mutual
    /// information matrix `[Z][F]` already computed over the same points.
    public static func score(codes: [Float], latent z: Int, factors: [[Int]], matrix: [[Double]], inactive: Set<Int> = [],
                             c: Double = defaultC) -> Result {
        score(codes: codes, latent: z, factors: factors, matrix: matrix, inactive: inactive,
              probes: FactorProbes(train: codes, latent: z, factors: factors, c: c))
    }

    /// The three scores with InfoE read from regressions already fitted on `codes` (`FactorProbes`).
    static func score(codes: [Float], latent z: Int, factors: [[Int]], matrix: [[Double]], inactive: Set<Int>, probes: FactorProbes) -> Result {
        let active = activeLatents(codes: codes, latent: z, inactive: inactive)
        let (m, c) = modularityAndCompactness(matrix: matrix, factorEntropies: factors.map(InformationScores.entropy), active: active)
        return Result(infoM: m, infoC: c, infoE: explicitness(probes: probes, factors: factors), activeLatents: active)
    }
}
