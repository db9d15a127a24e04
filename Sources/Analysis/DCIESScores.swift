import Foundation

/// Explicitness (E) and size (S) of the DCI-ES framework (Eastwood, Nicolicioiu, von Kügelgen,
/// Kekić, Träuble, Dittadi & Schölkopf 2023, "DCI-ES: An Extended Disentanglement Framework with
/// Connections to Identifiability", ICLR, §4).
///
/// **Explicitness** is the ease of use of a representation: how little probe capacity it takes to
/// read each factor out of it. For factor f, probes of increasing capacity c are fitted on the
/// training points and their test loss ℓ_f(c) traces the loss–capacity curve (kept monotone: the
/// lowest loss reached so far, as the authors' code does). With the baseline loss ℓ_b (the
/// capacity-0 probe) and the lowest achievable loss ℓ* = 0 (the factors are deterministic
/// functions of the images):
///
///     AULCC_f = ∫₀^C (ℓ_f(c) − ℓ*) dc        (trapezoids over c = 0, 1, …, C)
///     E_f     = 1 − AULCC_f / (C · (ℓ_b − ℓ*)),    E = (1/F) Σ_f E_f
///
/// E_f is 0 when no probe beats the baseline and approaches 1 − 1/(2C) when a single split already
/// reads the factor perfectly. **The probes here** are the CART trees of `DCIScores` (Gini; leaf
/// limits of `DCIScores.treeLimits`) with capacity = depth c = 0…C, C = 8: one tree is grown to
/// depth C and read at every depth (`ClassificationTree.predict(_:depth:)`; greedy growth makes the
/// cut tree exactly the tree grown to that depth). ℓ is the test misclassification rate and ℓ_b the
/// test error of the training points' majority class, as the authors' baselines for discrete factors
/// (1 − 1/K for K uniform classes). The paper's experiments use MLPs (capacity = log #parameters)
/// and random forests (capacity = depth) and normalise by a triangle (twice our area ratio);
/// axis-aligned trees make E reward a code whose factors sit on single latents, which is what
/// the paper's random-forest curves show.
///
/// **Size** is the representation's dimension relative to the factors':
///
///     S = F / Z
///
/// 1 for a code with one latent per factor, smaller for a larger code (½ when every latent is
/// duplicated), above 1 for a code smaller than the factors.
public enum DCIESScores {
    /// The capacities probed: tree depths 0…`maximumDepth`.
    public static let maximumDepth = 8

    public struct Result: Equatable, Sendable {
        public var explicitness: Double
        public var size: Double
        /// E_f per factor.
        public var perFactor: [Double]
        /// The monotone loss–capacity curve of each factor: test error at depth 0…`maximumDepth`.
        public var curves: [[Double]]
    }

    /// E and S of codes `train`/`test` (`[N, Z]` row-major) with factor classes `trainFactors[f][n]`,
    /// `testFactors[f][n]`.
    public static func score(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int) -> Result {
        var perFactor: [Double] = [], curves: [[Double]] = []
        for f in trainFactors.indices {
            let labels = trainFactors[f], testLabels = testFactors[f]
            guard !testLabels.isEmpty else { continue }
            // Capacity 0: the majority class of the training points.
            var counts: [Int: Int] = [:]
            for label in labels { counts[label, default: 0] += 1 }
            let majority = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0
            let baseline = Double(testLabels.filter { $0 != majority }.count) / Double(testLabels.count)
            let leaf = DCIScores.treeLimits(labels: labels).leaf
            let tree = ClassificationTree(x: train, latent: z, labels: labels, maximumDepth: maximumDepth, minimumLeaf: leaf)
            var curve = [baseline]
            for depth in 1...maximumDepth {
                var wrong = 0
                for row in testLabels.indices where tree.predict(test[(row * z)..<((row + 1) * z)], depth: depth) != testLabels[row] {
                    wrong += 1
                }
                curve.append(min(curve[depth - 1], Double(wrong) / Double(testLabels.count)))
            }
            curves.append(curve)
            perFactor.append(explicitness(curve: curve))
        }
        let e = perFactor.isEmpty ? 0 : perFactor.reduce(0, +) / Double(perFactor.count)
        return Result(explicitness: e, size: size(factors: trainFactors.count, latent: z), perFactor: perFactor, curves: curves)
    }

    /// E_f of a monotone loss–capacity curve sampled at capacities 0, 1, …, C (its first entry the
    /// baseline loss), with ℓ* = 0: 1 − (trapezoid area under the curve) / (C · ℓ_b); 1 when the
    /// baseline is already 0 (nothing to read out).
    public static func explicitness(curve: [Double]) -> Double {
        guard curve.count >= 2, let baseline = curve.first, baseline > 0 else { return 1 }
        var area = 0.0
        for c in 1..<curve.count { area += 0.5 * (curve[c - 1] + curve[c]) }
        return 1 - area / (Double(curve.count - 1) * baseline)
    }

    /// S = F / Z.
    public static func size(factors: Int, latent z: Int) -> Double {
        z > 0 ? Double(factors) / Double(z) : 0
    }
}
