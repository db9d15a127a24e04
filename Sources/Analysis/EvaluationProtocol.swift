/// How many observations the disentanglement scores are computed from: disentanglement_lib's
/// sample sizes (`dlib`, what published numbers use) or this project's smaller ones (`quick`).
/// `evaluate` and `score` take it as `--protocol`; a study uses `dlib` unless told otherwise.
///
/// What each costs and how much its scores spread over evaluation seeds: docs/metrics.md.
public enum EvaluationProtocol: String, Codable, Sendable, CaseIterable {
    /// disentanglement_lib's: 10,000 training and 5,000 test points for MIG, SAP, DCI and
    /// modularity; BetaVAE and FactorVAE on 10,000 training and 5,000 evaluation points of 64
    /// observations, FactorVAE's variances from 10,000 (about 2.9 million encodes for BetaVAE and FactorVAE).
    case dlib
    /// 10,000 + 5,000 representation points as dlib, but BetaVAE and FactorVAE on 150 training and
    /// 75 evaluation points of 32 and FactorVAE's variances from 2,000 (about 39,000 encodes);
    /// sizes scaled down for a run trained on fewer than 10,000 images (`options(trainImages:)`).
    case quick

    /// The sample sizes for a model trained on `trainImages` images (nil: codes from anywhere,
    /// never scaled). Only `quick` scales: by min(1, trainImages / 10,000), at least 100 + 50
    /// representation points and 10 + 5 supervised points, so a quick run is evaluated quickly.
    public func options(trainImages: Int? = nil) -> CodeScores.Options {
        var options = CodeScores.Options()
        options.evaluationProtocol = self
        guard self == .quick else { return options }
        let share = min(1, Double(trainImages ?? 10_000) / 10_000)
        func scaled(_ size: Int, atLeast floor: Int) -> Int { max(floor, Int((Double(size) * share).rounded())) }
        options.trainLimit = scaled(10_000, atLeast: 100)
        options.testLimit = scaled(5_000, atLeast: 50)
        options.supervisedTrainPoints = scaled(150, atLeast: 10)
        options.supervisedEvalPoints = scaled(75, atLeast: 5)
        options.supervisedBatch = 32
        options.varianceSamples = scaled(2_000, atLeast: 100)
        return options
    }

    /// One line for the report and `score`: the protocol and its sizes.
    public var summary: String {
        switch self {
        case .dlib: "disentanglement_lib's sample sizes (BetaVAE/FactorVAE: 10,000 + 5,000 points of 64)"
        case .quick: "quick sample sizes (BetaVAE/FactorVAE: 150 + 75 points of 32, fewer for a run on under 10,000 images; disentanglement_lib uses 10,000 + 5,000 of 64)"
        }
    }
}
