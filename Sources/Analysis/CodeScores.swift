import Datasets
import Engine
import Foundation

/// Every disentanglement score of a representation with known generative factors, as
/// google-research/disentanglement_lib computes them, from a `FactorSampler`: codes that came from
/// anywhere (`betavae score CODES.npz`), a model's encoded pool (file datasets) or fresh images
/// drawn from the factor space (sprites).
///
/// MIG and modularity use the representation's training points (20 equal-width bins per latent,
/// natural logarithms, one mutual information matrix for both); SAP and DCI fit on the training
/// points and test on the test points; BetaVAE and FactorVAE draw their own batches from the
/// sampler. Codes from anywhere are shuffled (seeded) and split as disentanglement_lib samples
/// them: up to 10,000 training rows and up to 5,000 test rows (with fewer than 15,000 rows, a
/// third, at most 5,000, for testing and the rest for training), unless the split is given
/// (`trainRows`), which is then used exactly. Factors with a single value say nothing about the
/// code and are left out.
///
/// Every default key is disentanglement_lib's estimator over every latent. This project's own
/// judgement — inactive latents (`Options.inactive`) carry no information — is kept under the
/// second keys `mig_masked` and `modularity_masked` (`maskedKeys`), present only when latents were
/// marked inactive.
public enum CodeScores {
    /// The scores' keys, in the order they are printed: exactly the keys of `betavae score --json`.
    public static let keys = disentanglementLibKeys + extendedKeys
    /// The eight scores of disentanglement_lib's study (Locatello et al. 2019), and the explicitness
    /// its `modularity_explicitness.py` computes beside modularity.
    public static let disentanglementLibKeys = ["beta_vae", "factor_vae", "mig", "sap", "dci_disentanglement", "dci_completeness",
                                                "dci_informativeness", "modularity", "explicitness"]
    /// The keys evaluation.json keeps in `DisentanglementScores.extendedScores` (those without a field of their own).
    public static let keyedScores = ["explicitness"] + extendedKeys
    /// The scores that came after it (`ExtendedScores`), on the posterior means only.
    public static let extendedKeys = ["dci_es_explicitness", "dci_es_size", "infom", "infoc", "infoe", "mig_sup", "irs"]
    /// The scores that read only the representation's points (no batches of their own): those
    /// disentanglement_lib also reports on sampled z.
    public static let representationKeys = ["mig", "sap", "dci_disentanglement", "dci_completeness", "dci_informativeness", "modularity"]
    /// MIG and modularity with the inactive latents' mutual information set to 0 (only when some are inactive).
    public static let maskedKeys = ["mig_masked", "modularity_masked"]
    /// Fewest rows `score` accepts: below this the test split has fewer than 10 rows.
    public static let minimumRows = 30

    public struct Options: Sendable {
        public var seed: UInt64 = 0
        /// Points for fitting (MIG, modularity, SAP, DCI) and for testing (SAP, DCI).
        public var trainLimit = 10_000
        public var testLimit = 5_000
        /// Training and evaluation points of BetaVAE and FactorVAE, the observations per point, and
        /// the observations of FactorVAE's per-latent scale.
        public var supervisedTrainPoints = 10_000
        public var supervisedEvalPoints = 5_000
        public var supervisedBatch = 64
        public var varianceSamples = 10_000
        public var bins = 20
        public var sapKind: SAPScore.FactorKind = .discrete
        /// DCI's classifier: disentanglement_lib's boosted trees, or one CART tree per factor.
        public var dciEstimator: DCIScores.Estimator = .boosted
        /// Which sample sizes these are (stated in the card and the report).
        public var evaluationProtocol: EvaluationProtocol = .dlib
        /// Latents known to be inactive (a model's posterior means that barely move: Var < 0.01,
        /// `LatentUsage.activityThreshold`): `mig_masked` and `modularity_masked` set their mutual
        /// information to 0 rather than what binning their tiny range into 20 bins makes of noise
        /// (0.1–0.2 nats for a collapsed unit); `mig` and `modularity` bin them as
        /// disentanglement_lib does. Empty for codes from anywhere.
        public var inactive: Set<Int> = []
        public init() {}
    }

    /// The scores and what they were computed from.
    public struct Card: Codable, Equatable, Sendable {
        /// The scores under `CodeScores.keys` (and `maskedKeys` when latents are inactive), on the
        /// posterior means (or the codes given).
        public var scores: [String: Double]
        /// The `representationKeys` scores on z sampled from each point's posterior (absent for codes
        /// without a posterior).
        public var sampledScores: [String: Double]?
        /// Train and evaluation accuracy of the classifier behind a score (beta_vae, factor_vae, dci_informativeness).
        public var accuracies: [String: ClassifierAccuracy]
        /// How each score was computed: estimator, bins, sample sizes, classifier.
        public var settings: [String: String]
        /// Where the observations came from (`FactorSampler.source`).
        public var source: String
        public var rows: Int
        public var latent: Int
        public var trainRows: Int
        public var testRows: Int
        /// The factors scored (those with more than one value) and those left out.
        public var factorNames: [String]
        public var constantFactors: [String]
        /// I(z_j; f) in nats, `[Z][F]`, over the training rows (every latent binned, inactive ones too).
        public var mutualInformation: [[Double]]
        /// H(f) in nats of each scored factor over the training rows (MIG's normaliser).
        public var factorEntropies: [Double]
        /// The latents given as inactive (`Options.inactive`), ascending.
        public var inactiveLatents: [Int]
        public var sapKind: String
        /// SAP's score matrix `[Z][F]`.
        public var sapMatrix: [[Double]]
        /// DCI's importance matrix R `[Z][F]` and the training accuracy of its trees.
        public var dciImportance: [[Double]]
        public var dciInformativenessTrain: Double
        public var dciPredictor: String
        /// `DCIScores.Estimator` and `EvaluationProtocol` raw values (absent from cards made before them).
        public var dciEstimator: String?
        public var evaluationProtocol: String?
        /// Whether the rows were split as the archive gave them (codes_train / codes_test) rather than shuffled.
        public var givenSplit: Bool?
        public var bins: Int
        public var seed: UInt64
        public var seconds: [String: Double]

        /// The scores as one JSON object with exactly `CodeScores.keys`.
        public func scoresJSON() -> String {
            "{" + CodeScores.keys.map { "\"\($0)\": \(CodeScores.number(scores[$0] ?? 0))" }.joined(separator: ", ") + "}"
        }

        /// The whole card as pretty-printed JSON (sorted keys).
        public func encoded() -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
        }

        /// The mutual information matrix as CSV: a header `latent,<factor names>`, one row per latent.
        public func mutualInformationCSV() -> String {
            var lines = ["latent," + factorNames.map(CodeScores.csvField).joined(separator: ",")]
            for (j, row) in mutualInformation.enumerated() {
                lines.append("z\(j)," + row.map { String(format: "%.6f", $0) }.joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }


    /// Scores `codes` `[N, Z]` against `factors` (N × F integer classes, row after row; any
    /// non-negative values, relabelled 0..<K per factor) named `names`. Preconditions (checked by
    /// `CodeArchive.read` for files): finite codes, N ≥ `minimumRows`, at least one factor with two values.
    /// With `logVariances` (a model's pool), the representation-based scores are also given on sampled z.
    /// With `trainRows`, the split is given: rows 0..<trainRows fit, the rest test, exactly as they
    /// are (no shuffling, no limits); BetaVAE and FactorVAE still draw from all rows.
    public static func score(codes: Tensor, logVariances: Tensor? = nil, factors: [Int], names: [String], options: Options = Options(),
                             trainRows: Int? = nil) -> Card {
        let n = codes.rows, factorCount = names.count
        precondition(factors.count == n * factorCount, "one value per row and factor")
        // Dense classes per factor.
        var dense = [Int](repeating: 0, count: factors.count)
        var sizes: [Int] = []
        for f in 0..<factorCount {
            let values = Array(Set((0..<n).map { factors[$0 * factorCount + f] })).sorted()
            let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
            for row in 0..<n { dense[row * factorCount + f] = index[factors[row * factorCount + f]] ?? 0 }
            sizes.append(values.count)
        }
        let pool = FactorCodes(codes: codes, logVariances: logVariances, classes: dense, sizes: sizes, names: names)
        if let trainRows {
            precondition((1..<n).contains(trainRows), "a given split needs training and test rows")
            let train = Observations(pool: pool, rows: Array(0..<trainRows)), test = Observations(pool: pool, rows: Array(trainRows..<n))
            var card = score(sampler: pool, train: train, test: test, names: names, sampled: logVariances != nil, options: options)
            card.givenSplit = true
            return card
        }
        // The split.
        var rng = RandomGenerator(seed: options.seed &+ 0x5C0E)
        let order = rng.permutation(n)
        let testCount = n >= options.trainLimit + options.testLimit ? options.testLimit : min(max(n / 3, 1), options.testLimit)
        let trainCount = min(n - testCount, options.trainLimit)
        let train = Observations(pool: pool, rows: Array(order.prefix(trainCount)))
        let test = Observations(pool: pool, rows: Array(order[trainCount..<(trainCount + testCount)]))
        return score(sampler: pool, train: train, test: test, names: names, sampled: logVariances != nil, options: options)
    }

    /// Scores the representation behind `sampler`: `train` and `test` are its points for the
    /// representation-based scores; BetaVAE and FactorVAE draw from `sampler`. With `sampled`, the
    /// representation-based scores are computed a second time on z = μ + σ·ε (one ε per point).
    public static func score(sampler: some FactorSampler, train: Observations, test: Observations, names: [String], sampled: Bool,
                             options: Options) -> Card {
        let z = sampler.latent, sizes = sampler.sizes
        let varying = sizes.indices.filter { sizes[$0] > 1 }
        var times = SectionTimes()
        let betaVAE = times.measure("beta_vae") {
            SupervisedScores.betaVAE(sampler, factors: varying, trainPoints: options.supervisedTrainPoints, evalPoints: options.supervisedEvalPoints,
                                     batch: options.supervisedBatch, seed: options.seed)
        }
        let factorVAE = times.measure("factor_vae") {
            SupervisedScores.factorVAE(sampler, factors: varying, trainPoints: options.supervisedTrainPoints, evalPoints: options.supervisedEvalPoints,
                                       batch: options.supervisedBatch, varianceSamples: options.varianceSamples, seed: options.seed)
        }
        let trainFactors = train.columns(varying, factorCount: sizes.count), testFactors = test.columns(varying, factorCount: sizes.count)
        let means = times.measure("representation") {
            RepresentationScores(train: train.encoded.means.scalars, trainFactors: trainFactors, test: test.encoded.means.scalars,
                                 testFactors: testFactors, latent: z, options: options)
        }
        let extended = times.measure("extended") {
            ExtendedScores(train: train.encoded.means.scalars, trainFactors: trainFactors, test: test.encoded.means.scalars,
                           testFactors: testFactors, latent: z, matrix: means.matrix, options: options)
        }
        var sampledScores: [String: Double]?
        if sampled {
            var rng = RandomGenerator(seed: options.seed &+ 0x5A3D)
            let scores = times.measure("representation_sampled") {
                RepresentationScores(train: train.encoded.sample(&rng), trainFactors: trainFactors, test: test.encoded.sample(&rng),
                                     testFactors: testFactors, latent: z, options: options)
            }
            sampledScores = scores.scores
        }
        let scores = means.scores.merging(["beta_vae": betaVAE.evaluation, "factor_vae": factorVAE.evaluation]) { a, _ in a }
            .merging(extended.scores) { a, _ in a }
        let accuracies = ["beta_vae": betaVAE, "factor_vae": factorVAE,
                          "explicitness": ClassifierAccuracy(train: extended.explicitness.train, evaluation: extended.explicitness.test),
                          "dci_informativeness": ClassifierAccuracy(train: means.dci.informativenessTrain, evaluation: means.dci.informativeness)]
        return Card(scores: scores, sampledScores: sampledScores, accuracies: accuracies,
                    settings: settings(options, trainRows: train.count, testRows: test.count), source: sampler.source,
                    rows: train.count + test.count, latent: z, trainRows: train.count, testRows: test.count,
                    factorNames: varying.map { names[$0] }, constantFactors: sizes.indices.filter { sizes[$0] <= 1 }.map { names[$0] },
                    mutualInformation: means.matrix, factorEntropies: trainFactors.map(InformationScores.entropy), inactiveLatents: options.inactive.sorted(), sapKind: options.sapKind.rawValue,
                    sapMatrix: means.sapMatrix, dciImportance: means.dci.importance, dciInformativenessTrain: means.dci.informativenessTrain,
                    dciPredictor: options.dciEstimator.summary, dciEstimator: options.dciEstimator.rawValue,
                    evaluationProtocol: options.evaluationProtocol.rawValue, givenSplit: nil,
                    bins: options.bins, seed: options.seed, seconds: times.seconds)
    }

    /// How each score was computed, in words, with the sample sizes used.
    static func settings(_ o: Options, trainRows: Int, testRows: Int) -> [String: String] {
        let binned = "\(o.bins) equal-width bins per latent over its observed range, natural-log mutual information, \(trainRows) points"
        let supervised = "\(o.supervisedTrainPoints) training and \(o.supervisedEvalPoints) evaluation points of \(o.supervisedBatch) observations each"
        let dci = "\(o.dciEstimator.summary); fitted on \(trainRows) points, tested on \(testRows)"
        let masked = o.inactive.isEmpty ? "" : "; inactive latents z" + o.inactive.sorted().map(String.init).joined(separator: ", z") + " binned too (mig_masked/modularity_masked set them to 0)"
        return [
            "beta_vae": "mean |z₁ − z₂| over pairs sharing one factor; logistic regression as scikit-learn's LogisticRegression() (L2, C = 1, multinomial, unregularised intercept; Newton-CG to the optimum); \(supervised) (pairs), \(o.evaluationProtocol.rawValue) protocol",
            "factor_vae": "argmin of per-latent variance over its global variance (from \(o.varianceSamples) observations, ddof 1; latents with std < 0.05 pruned) in batches sharing one factor's value; majority-vote classifier; \(supervised), \(o.evaluationProtocol.rawValue) protocol; 0 when every latent is pruned",
            "mig": "gap between the two largest I(z_j; f) over H(f), mean over factors; \(binned)\(masked)",
            "modularity": "Ridgeway & Mozer's modularity of the mutual information matrix; \(binned)\(masked)",
            "mig_masked": "MIG with the inactive latents' mutual information set to 0; \(binned)",
            "modularity_masked": "modularity with the inactive latents' mutual information set to 0; \(binned)",
            "sap": "gap between the two best single-latent predictors of each factor, mean over factors; " + (o.sapKind == .discrete
                ? "test accuracy of scikit-learn's LinearSVC(C = 0.01, balanced classes) per latent and factor, fitted by liblinear on \(trainRows) points, tested on \(testRows)"
                : "R² of a linear fit per latent and factor on \(trainRows) points"),
            "dci_disentanglement": dci, "dci_completeness": dci, "dci_informativeness": dci + "; mean test accuracy",
        ].merging(ExtendedScores.settings(o, trainRows: trainRows, testRows: testRows)) { a, _ in a }
    }

    /// A number for JSON: finite values with enough digits to round-trip, NaN/∞ (never produced) as 0.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "0"
    }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") || text.contains("\n")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
