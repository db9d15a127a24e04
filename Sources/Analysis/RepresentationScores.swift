import Engine
import Foundation

/// Points of a representation with their factor classes: the material of the scores that read
/// only the representation (MIG, modularity, SAP, DCI).
public struct Observations: Sendable {
    /// Posterior means and log-variances `[N, Z]` (log-variances 0 for codes without a posterior).
    public var encoded: EncodedSet
    /// Factor classes, F per point, row after row.
    public var classes: [Int]

    public init(encoded: EncodedSet, classes: [Int]) {
        self.encoded = encoded
        self.classes = classes
    }

    /// The rows `rows` of a pool.
    init(pool: FactorCodes, rows: [Int]) {
        let z = pool.latent
        func gather(_ tensor: Tensor) -> Tensor {
            var out = [Float](); out.reserveCapacity(rows.count * z)
            for row in rows { out += tensor.scalars[(row * z)..<((row + 1) * z)] }
            return Tensor(shape: [rows.count, z], scalars: out)
        }
        encoded = EncodedSet(means: gather(pool.codes), logVariances: pool.logVariances.map(gather) ?? Tensor(shape: [rows.count, z]),
                             labels: [])
        classes = rows.flatMap { row in (0..<pool.factorCount).map { pool.factor(row, $0) } }
    }

    public var count: Int { encoded.count }

    /// The classes of the factors `factors`, one column each.
    func columns(_ factors: [Int], factorCount: Int) -> [[Int]] {
        factors.map { f in (0..<count).map { classes[$0 * factorCount + f] } }
    }
}

extension EncodedSet {
    /// z = μ + σ·ε with σ = exp(½ log σ²), one standard normal ε per entry (disentanglement_lib's
    /// "sampled" representation), as N·Z floats.
    func sample(_ rng: inout RandomGenerator) -> [Float] {
        zip(means.scalars, logVariances.scalars).map { mean, logVariance in mean + Foundation.exp(0.5 * logVariance) * rng.normal() }
    }
}

/// MIG, modularity (and their masked keys), SAP and DCI of one representation: fitted on `train` (`[N, Z]` row after row)
/// and, for SAP and DCI, tested on `test`.
struct RepresentationScores {
    var scores: [String: Double]
    /// I(z_j; f) `[Z][F]` in nats over every latent (disentanglement_lib's).
    var matrix: [[Double]]
    var sapMatrix: [[Double]]
    var dci: DCIScores.Result

    init(train: [Float], trainFactors: [[Int]], test: [Float], testFactors: [[Int]], latent z: Int, options: CodeScores.Options) {
        let trainCount = train.count / max(z, 1)
        matrix = InformationScores.mutualInformationMatrix(codes: Tensor(shape: [trainCount, z], scalars: train), factors: trainFactors,
                                                           bins: options.bins)
        sapMatrix = SAPScore.scoreMatrix(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z,
                                         kind: options.sapKind)
        dci = DCIScores.score(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z,
                              estimator: options.dciEstimator)
        scores = [
            "mig": InformationScores.mig(matrix: matrix, factors: trainFactors), "modularity": ModularityScore.modularity(matrix: matrix),
            "sap": SAPScore.sap(matrix: sapMatrix), "dci_disentanglement": dci.disentanglement, "dci_completeness": dci.completeness,
            "dci_informativeness": dci.informativeness,
        ]
        // This project's judgement, under its own keys: inactive latents carry no information.
        if !options.inactive.isEmpty {
            var masked = matrix
            for j in options.inactive where masked.indices.contains(j) { masked[j] = masked[j].map { _ in 0 } }
            scores["mig_masked"] = InformationScores.mig(matrix: masked, factors: trainFactors)
            scores["modularity_masked"] = ModularityScore.modularity(matrix: masked)
        }
    }
}
