import Foundation

/// The disentanglement section of an evaluation (filled in by the metrics of DisentanglementMetrics).
public struct DisentanglementScores: Codable, Equatable, Sendable {
    /// Scores on the posterior means: the mean over `repeats` evaluation seeds.
    public var betaVAE: Double?
    public var factorVAE: Double?
    public var mig: Double?
    /// Mutual information (nats) of each latent dimension with each factor: mutualInformation[j][f]
    /// (the first evaluation seed's); empty, not Z empty rows, when the dataset has no factors.
    public var mutualInformation: [[Double]]
    public var factorNames: [String]
    /// Whether the dataset had factors or labels to score against. Without them (an unlabeled
    /// image folder) the section holds only the Gaussian total correlation, and reports and
    /// comparisons leave their factor sections out.
    public var hasFactors: Bool { !factorNames.isEmpty }
    /// Gaussian total correlation of the aggregate posterior (nats).
    public var gaussianTotalCorrelation: Double?
    public var seconds: [String: Double]
    /// SAP with disentanglement_lib's discrete score matrix (SAPScore), DCI with the importances of
    /// the estimator `details` names (DCIScores) and modularity (ModularityScore), with known factors; absent from
    /// evaluations made before they were computed.
    public var sap: Double?
    public var dciDisentanglement: Double?
    public var dciCompleteness: Double?
    public var dciInformativeness: Double?
    public var modularity: Double?
    /// MIG and modularity with the inactive latents' mutual information set to 0
    /// (`CodeScores.maskedKeys`); absent when no latent is inactive and from older evaluations.
    public var migMasked: Double?
    public var modularityMasked: Double?
    /// The sample sizes' protocol (`EvaluationProtocol` raw value); absent from older evaluations (quick).
    public var evaluationProtocol: String?
    /// Latents whose posterior means barely move over the pool (Var < 0.01): marked (the masked
    /// keys give them zero mutual information); absent from evaluations made before they were marked.
    public var inactiveLatents: [Int]?
    /// H(f) in nats of each factor over the points of `mutualInformation` (absent from older evaluations).
    public var factorEntropies: [Double]?
    /// What the scores were computed from and how (absent from evaluations made before they were
    /// stated): see `ScoreDetails`.
    public var details: ScoreDetails?
    /// The scores under `CodeScores.keyedScores`: disentanglement_lib's explicitness and those after
    /// it (DCI-ES, InfoMEC, MIG-sup, IRS; `ExtendedScores`), mean over the evaluation seeds; absent
    /// from older evaluations.
    public var extendedScores: [String: Double]?

    public init(betaVAE: Double?, factorVAE: Double?, mig: Double?, mutualInformation: [[Double]], factorNames: [String],
                gaussianTotalCorrelation: Double?, seconds: [String: Double], sap: Double? = nil, dci: DCIScores.Result? = nil,
                modularity: Double? = nil, inactiveLatents: [Int]? = nil, factorEntropies: [Double]? = nil, details: ScoreDetails? = nil,
                migMasked: Double? = nil, modularityMasked: Double? = nil, evaluationProtocol: String? = nil,
                extendedScores: [String: Double]? = nil) {
        self.betaVAE = betaVAE
        self.factorVAE = factorVAE
        self.mig = mig
        self.mutualInformation = mutualInformation
        self.factorNames = factorNames
        self.gaussianTotalCorrelation = gaussianTotalCorrelation
        self.seconds = seconds
        self.sap = sap
        self.dciDisentanglement = dci?.disentanglement
        self.dciCompleteness = dci?.completeness
        self.dciInformativeness = dci?.informativeness
        self.modularity = modularity
        self.inactiveLatents = inactiveLatents
        self.factorEntropies = factorEntropies
        self.details = details
        self.migMasked = migMasked
        self.modularityMasked = modularityMasked
        self.evaluationProtocol = evaluationProtocol
        self.extendedScores = extendedScores
    }

    /// The traversal rows' and latent table's word for latent `j`: "inactive" when `inactive`
    /// holds it, else "posX (0.62)" (the factor it tracks and I(z_j; f) / H(f)), else "".
    public func role(_ j: Int, inactive: Set<Int>) -> String {
        if inactive.contains(j) { return "inactive" }
        return trackedFactor(j).map { String(format: "%@ (%.2f)", $0.name, $0.normalized) } ?? ""
    }

    /// The factor latent `j` captures most by normalised mutual information I(z_j; f) / H(f)
    /// (H(f) = 1 when the entropies are unknown), with that value; nil when `j` is inactive or
    /// shares no information with any factor.
    public func trackedFactor(_ j: Int) -> (name: String, normalized: Double)? {
        guard mutualInformation.indices.contains(j), !(inactiveLatents ?? []).contains(j) else { return nil }
        let normalized = mutualInformation[j].indices.map { f -> Double in
            let h = factorEntropies.map { $0.indices.contains(f) ? $0[f] : 0 } ?? 1
            return h > 0 ? mutualInformation[j][f] / h : 0
        }
        guard let best = normalized.indices.max(by: { normalized[$0] < normalized[$1] }), normalized[best] > 0 else { return nil }
        return (factorNames[best], normalized[best])
    }
}

/// How the disentanglement scores were made, beside them in evaluation.json and in the report: the
/// observations' source, sample sizes, each score's estimator and classifier, the classifiers'
/// train and evaluation accuracy, the spread over repeated evaluations and the scores on sampled z.
/// Keys are `CodeScores.keys`.
public struct ScoreDetails: Codable, Equatable, Sendable {
    /// "fresh images drawn from the factor space" or "a pool of N encoded images".
    public var source: String
    /// Evaluation seeds the scores are averaged over.
    public var repeats: Int
    /// Sample sizes used: representationTrain/representationTest (MIG, modularity, SAP, DCI),
    /// supervisedTrain/supervisedEval points of supervisedBatch observations (BetaVAE, FactorVAE),
    /// varianceSamples (FactorVAE's scale), bins.
    public var sampleSizes: [String: Int]
    /// Estimator, bins, sample sizes and classifier of each score.
    public var settings: [String: String]
    /// Sample standard deviation of each posterior-mean score over the repeats.
    public var spread: [String: Double]
    /// Mean train and evaluation accuracy over the repeats, where a classifier makes the score.
    public var accuracies: [String: ClassifierAccuracy]
    /// The representation-based scores (`CodeScores.representationKeys`) on z = μ + σ·ε: mean and
    /// standard deviation over the repeats.
    public var sampled: [String: Double]
    public var sampledSpread: [String: Double]

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public static func meanAndSpread(_ values: [Double]) -> (mean: Double, sd: Double) {
        let n = Double(values.count)
        guard n > 0 else { return (0, 0) }
        let mean = values.reduce(0, +) / n
        guard n > 1 else { return (mean, 0) }
        return (mean, (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot())
    }
}
