import Foundation

/// The Separated Attribute Predictability score (Kumar, Sattigeri & Balakrishnan 2018, "Variational
/// Inference of Disentangled Latent Concepts from Unlabeled Observations", §3), as
/// google-research/disentanglement_lib's `sap_score.py` computes it.
///
/// A score matrix S `[Z][F]` says how well latent j alone predicts factor f; SAP is the mean over
/// factors of the gap between the two largest entries of the factor's column:
///
///     SAP = (1/F) Σ_f (S_(1)f − S_(2)f)
///
/// A factor captured by exactly one latent has a large gap; a factor spread over two latents, or
/// captured by none, a small one.
public enum SAPScore {
    /// How the score matrix is made.
    public enum FactorKind: String, Codable, Sendable, CaseIterable {
        /// S_jf = test accuracy of a one-dimensional linear SVM from latent j to the classes of
        /// factor f (disentanglement_lib's `continuous_factors=False`, the setting of its studies):
        /// one-vs-rest squared-hinge L2 SVMs with C = 0.01, balanced class weights and a regularised
        /// intercept, fitted by liblinear as scikit-learn's `LinearSVC(C=0.01, class_weight="balanced")`
        /// fits them (`LinearSVM`).
        /// A one-dimensional linear classifier separates the end classes of an ordinal factor but
        /// rarely the middle ones, so even the identity code scores well below 1 on factors with
        /// many values.
        case discrete
        /// S_jf = Cov(z_j, f)² / (Var z_j · Var f), the squared correlation on the training points
        /// (0 when Var z_j ≤ 1e-12); disentanglement_lib's `continuous_factors=True`, the setting
        /// of its own SAP tests.
        case continuous
    }

    /// The score matrix `[Z][F]`. `train`/`test` are codes as rows of Z floats (`[N, Z]` row-major)
    /// with `trainFactors`/`testFactors` the factor classes `[N][F]` (`factors[f][n]`, classes 0..<sizes[f]).
    /// The continuous kind uses the training points only.
    public static func scoreMatrix(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int,
                                   kind: FactorKind, regularization c: Double = 0.01) -> [[Double]] {
        let nTrain = trainFactors.first?.count ?? (z > 0 ? train.count / z : 0)
        let nTest = testFactors.first?.count ?? (z > 0 ? test.count / z : 0)
        @Sendable func latentRow(_ j: Int) -> [Double] {
            let x = (0..<nTrain).map { Double(train[$0 * z + j]) }
            let xTest = (0..<nTest).map { Double(test[$0 * z + j]) }
            return trainFactors.indices.map { f in
                switch kind {
                case .continuous:
                    return squaredCorrelation(x, trainFactors[f].map(Double.init))
                case .discrete:
                    let model = LinearSVM(x: x, labels: trainFactors[f], c: c)
                    let predicted = xTest.map { model.predict($0) }
                    let right = zip(predicted, testFactors[f]).filter { $0 == $1 }.count
                    return Double(right) / Double(max(nTest, 1))
                }
            }
        }
        // The latents' Z × F fits are independent: all cores take latents (liblinear keeps no state between fits);
        // scoring 30,000 × 1,024 codes (`--dci-estimator tree`), they were 40% of the CPU, all on one core.
        var matrix = [[Double]](repeating: [], count: z)
        matrix.withUnsafeMutableBufferPointer { buffer in
            let rows = SendablePointer(buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: z) { j in
                rows[j] = latentRow(j)
            }
        }
        return matrix
    }

    /// SAP from a score matrix `[Z][F]`: the mean over factors of the largest minus the second
    /// largest entry of each column (0 with fewer than two latents).
    public static func sap(matrix: [[Double]]) -> Double {
        guard matrix.count >= 2, let factors = matrix.first?.count, factors > 0 else { return 0 }
        let gaps = (0..<factors).map { f -> Double in
            let column = matrix.map { $0[f] }.sorted(by: >)
            return column[0] - column[1]
        }
        return gaps.reduce(0, +) / Double(factors)
    }

    /// Cov(a, b)² / (Var a · Var b) with n − 1 in both (numpy's `np.cov`); 0 when Var a ≤ 1e-12
    /// (a latent that does not vary) or Var b = 0.
    static func squaredCorrelation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard a.count >= 2 else { return 0 }
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            let da = a[i] - meanA, db = b[i] - meanB
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        let varA = saa / (n - 1), varB = sbb / (n - 1), cov = sab / (n - 1)
        guard varA > 1e-12, varB > 0 else { return 0 }
        return cov * cov / (varA * varB)
    }
}
