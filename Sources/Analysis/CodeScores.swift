import Datasets
import Engine
import Foundation

/// Every disentanglement score of codes that came from anywhere (`betavae score CODES.npz`): codes
/// `[N, Z]` with their generative factors `[N, F]`.
///
/// The N rows are shuffled (seeded) and split as disentanglement_lib samples them: up to 10,000
/// training rows and up to 5,000 test rows (with fewer than 15,000 rows, a third, at most 5,000, for
/// testing and the rest for training). MIG and modularity use the training rows (20 equal-width
/// bins per latent, natural logarithms, one mutual information matrix for both); SAP and DCI fit on
/// the training rows and test on the test rows; BetaVAE and FactorVAE draw their batches from all N
/// rows. Factors with a single value say nothing about the code and are left out.
public enum CodeScores {
    /// The scores' keys, in the order they are printed: exactly the keys of `betavae score --json`.
    public static let keys = ["beta_vae", "factor_vae", "mig", "sap", "dci_disentanglement", "dci_completeness",
                              "dci_informativeness", "modularity"]
    /// Fewest rows `score` accepts: below this the test split has fewer than 10 rows.
    public static let minimumRows = 30

    public struct Options: Sendable {
        public var seed: UInt64 = 0
        /// Rows for fitting (MIG, modularity, SAP, DCI) and for testing (SAP, DCI).
        public var trainLimit = 10_000
        public var testLimit = 5_000
        /// Training and evaluation points of BetaVAE and FactorVAE.
        public var supervisedTrainPoints = 10_000
        public var supervisedEvalPoints = 5_000
        public var bins = 20
        public var sapKind: SAPScore.FactorKind = .discrete
        /// Latents known to be inactive (a model's posterior means that barely move: Var < 0.01,
        /// `LatentUsage.activityThreshold`): their mutual information is 0, not what binning
        /// their tiny range into 20 bins makes of noise (0.1–0.2 nats for a collapsed unit).
        /// Empty for codes from anywhere, which are binned as disentanglement_lib bins them.
        public var inactive: Set<Int> = []
        public init() {}
    }

    /// The scores and what they were computed from.
    public struct Card: Codable, Equatable, Sendable {
        /// The eight scores under `CodeScores.keys`.
        public var scores: [String: Double]
        public var rows: Int
        public var latent: Int
        public var trainRows: Int
        public var testRows: Int
        /// The factors scored (those with more than one value) and those left out.
        public var factorNames: [String]
        public var constantFactors: [String]
        /// I(z_j; f) in nats, `[Z][F]`, over the training rows (0 for inactive latents).
        public var mutualInformation: [[Double]]
        /// The latents given as inactive (`Options.inactive`), ascending.
        public var inactiveLatents: [Int]
        public var sapKind: String
        /// SAP's score matrix `[Z][F]`.
        public var sapMatrix: [[Double]]
        /// DCI's importance matrix R `[Z][F]` and the training accuracy of its trees.
        public var dciImportance: [[Double]]
        public var dciInformativenessTrain: Double
        public var dciPredictor: String
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

    /// The predictor behind DCI, as the card and `score` state it.
    public static let dciPredictor = "one CART decision tree per factor (Gini; depth ≤ max(8, log2 K + 2), leaves ≥ 1% of the points); importance = impurity decrease"

    /// Scores `codes` `[N, Z]` against `factors` (N × F integer classes, row after row; any
    /// non-negative values, relabelled 0..<K per factor) named `names`. Preconditions (checked by
    /// `CodeArchive.read` for files): finite codes, N ≥ `minimumRows`, at least one factor with two values.
    public static func score(codes: Tensor, factors: [Int], names: [String], options: Options = Options()) -> Card {
        let n = codes.rows, z = codes.columns, factorCount = names.count
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
        let varying = sizes.indices.filter { sizes[$0] > 1 }
        var times = SectionTimes()

        // The split.
        var rng = RandomGenerator(seed: options.seed &+ 0x5C0E)
        let order = rng.permutation(n)
        let testCount = n >= options.trainLimit + options.testLimit ? options.testLimit : min(max(n / 3, 1), options.testLimit)
        let trainCount = min(n - testCount, options.trainLimit)
        let trainRows = Array(order.prefix(trainCount)), testRows = Array(order[trainCount..<(trainCount + testCount)])
        func gather(_ rows: [Int]) -> [Float] {
            var out = [Float](); out.reserveCapacity(rows.count * z)
            for row in rows { out += codes.scalars[(row * z)..<((row + 1) * z)] }
            return out
        }
        func columns(_ rows: [Int]) -> [[Int]] { varying.map { f in rows.map { dense[$0 * factorCount + f] } } }
        let train = gather(trainRows), test = gather(testRows)
        let trainFactors = columns(trainRows), testFactors = columns(testRows)

        let pool = FactorCodes(codes: codes, classes: dense, sizes: sizes, names: names)
        let betaVAE = times.measure("beta_vae") {
            SupervisedScores.betaVAE(pool, factors: varying, trainPoints: options.supervisedTrainPoints,
                                     evalPoints: options.supervisedEvalPoints, seed: options.seed)
        }
        let factorVAE = times.measure("factor_vae") {
            SupervisedScores.factorVAE(pool, factors: varying, trainPoints: options.supervisedTrainPoints,
                                       evalPoints: options.supervisedEvalPoints, seed: options.seed)
        }
        var matrix = times.measure("mutual_information") {
            InformationScores.mutualInformationMatrix(codes: Tensor(shape: [trainCount, z], scalars: train), factors: trainFactors,
                                                      bins: options.bins)
        }
        for j in options.inactive where matrix.indices.contains(j) { matrix[j] = matrix[j].map { _ in 0 } }
        let mig = InformationScores.mig(matrix: matrix, factors: trainFactors)
        let modularity = ModularityScore.modularity(matrix: matrix)
        let sapMatrix = times.measure("sap") {
            SAPScore.scoreMatrix(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z,
                                 kind: options.sapKind)
        }
        let dci = times.measure("dci") {
            DCIScores.score(train: train, trainFactors: trainFactors, test: test, testFactors: testFactors, latent: z)
        }
        let scores: [String: Double] = [
            "beta_vae": betaVAE, "factor_vae": factorVAE, "mig": mig, "sap": SAPScore.sap(matrix: sapMatrix),
            "dci_disentanglement": dci.disentanglement, "dci_completeness": dci.completeness,
            "dci_informativeness": dci.informativeness, "modularity": modularity,
        ]
        return Card(scores: scores, rows: n, latent: z, trainRows: trainCount, testRows: testCount,
                    factorNames: varying.map { names[$0] }, constantFactors: sizes.indices.filter { sizes[$0] <= 1 }.map { names[$0] },
                    mutualInformation: matrix, inactiveLatents: options.inactive.sorted(), sapKind: options.sapKind.rawValue, sapMatrix: sapMatrix, dciImportance: dci.importance,
                    dciInformativenessTrain: dci.informativenessTrain, dciPredictor: dciPredictor, bins: options.bins,
                    seed: options.seed, seconds: times.seconds)
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

/// The `.npz` that `betavae score` reads: `codes` float `[N, Z]` (f4 or f8, finite, |x| ≤ 1e12) and `factors`
/// integer `[N, F]` (i8 or u1, ≥ 0, at most `maximumClasses` different values per factor), N equal
/// and at least `CodeScores.minimumRows`, at least one factor with two different values. Everything is checked before scoring; each error names the
/// file and what is wrong.
public enum CodeArchive {
    public struct Contents: Sendable {
        public var codes: Tensor
        /// N × F values, row after row.
        public var factors: [Int]
        public var factorCount: Int
    }

    /// Most latents a codes archive may have.
    public static let maximumColumns = 4096
    /// Largest |code| accepted.
    public static let maximumMagnitude: Float = 1e12
    /// Most different values one factor may take: discrete SAP fits one SVM per class, latent and factor.
    public static let maximumClasses = 1000

    static func dtype(_ storage: NPYArray.Storage) -> String {
        switch storage {
        case .uint8: return "u1"
        case .int64: return "i8"
        case .float32: return "f4"
        case .float64: return "f8"
        }
    }

    /// Reads and validates the archive at `path`.
    public static func read(path: String) throws -> Contents {
        let arrays = try NPZ.read(path: path, arrays: ["codes", "factors"])
        guard let codes = arrays["codes"], let factors = arrays["factors"] else {
            throw CodeArchiveError(path: path, reason: "expected members codes and factors")
        }
        return try decode(codes: codes, factors: factors, path: path)
    }

    static func decode(codes: NPYArray, factors: NPYArray, path: String) throws -> Contents {
        guard codes.shape.count == 2 else {
            throw CodeArchiveError(path: path, reason: "codes has shape \(codes.shape); expected [N, Z], one row of floats per item")
        }
        guard factors.shape.count == 2 else {
            throw CodeArchiveError(path: path, reason: "factors has shape \(factors.shape); expected [N, F], one row of integer classes per item")
        }
        let n = codes.shape[0], z = codes.shape[1], f = factors.shape[1]
        guard factors.shape[0] == n else {
            throw CodeArchiveError(path: path, reason: "codes has \(n) rows but factors has \(factors.shape[0]); they must describe the same items")
        }
        guard n >= CodeScores.minimumRows else {
            throw CodeArchiveError(path: path, reason: "it holds \(n) rows; scoring needs at least \(CodeScores.minimumRows)")
        }
        guard (1...maximumColumns).contains(z) else {
            throw CodeArchiveError(path: path, reason: "codes has \(z) columns; expected 1…\(maximumColumns)")
        }
        guard (1...DatasetLimits.maximumFactors).contains(f) else {
            throw CodeArchiveError(path: path, reason: "factors has \(f) columns; expected 1…\(DatasetLimits.maximumFactors)")
        }
        let values: [Float]
        switch codes.storage {
        case .float32(let a): values = a
        case .float64(let a):
            if let bad = a.firstIndex(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                throw CodeArchiveError(path: path, reason: "codes[\(bad / z), \(bad % z)] is \(a[bad]), not a finite float32 number")
            }
            values = a.map(Float.init)
        case .uint8, .int64:
            throw CodeArchiveError(path: path, reason: "codes is \(dtype(codes.storage)); expected floats (f4 or f8)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CodeArchiveError(path: path, reason: "codes[\(bad / z), \(bad % z)] is \(values[bad]), not a finite number")
        }
        // Differences of values near Float's limit overflow to ∞ (the bins of MIG would be NaN).
        if let bad = values.firstIndex(where: { abs($0) > maximumMagnitude }) {
            throw CodeArchiveError(path: path, reason: "codes[\(bad / z), \(bad % z)] is \(values[bad]), beyond ±1e12; rescale the codes")
        }
        let classes: [Int]
        switch factors.storage {
        case .int64(let a):
            if let bad = a.firstIndex(where: { $0 < 0 }) {
                throw CodeArchiveError(path: path, reason: "factors[\(bad / f), \(bad % f)] is \(a[bad]); factor classes must be ≥ 0")
            }
            classes = a.map { Int($0) }
        case .uint8(let a): classes = a.map { Int($0) }
        case .float32, .float64:
            throw CodeArchiveError(path: path, reason: "factors is \(dtype(factors.storage)); factor classes must be integers (i8 or u1)")
        }
        for column in 0..<f {
            let distinct = Set((0..<n).map { classes[$0 * f + column] }).count
            guard distinct <= maximumClasses else {
                throw CodeArchiveError(path: path, reason: "factor \(column) has \(distinct) different values; score takes at most "
                                       + "\(maximumClasses) classes per factor (bin a continuous factor first)")
            }
        }
        let varying = (0..<f).contains { column in
            let first = classes[column]
            return (1..<n).contains { classes[$0 * f + column] != first }
        }
        guard varying else {
            throw CodeArchiveError(path: path, reason: "every factor has a single value; scoring needs a factor that varies")
        }
        return Contents(codes: Tensor(shape: [n, z], scalars: values), factors: classes, factorCount: f)
    }
}

/// A codes archive that parses but does not hold what `score` needs: one line naming the file,
/// what is wrong and the layout expected.
public struct CodeArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String {
        "\(path): \(reason) (expected numpy.savez(path, codes=float [N, Z], factors=int [N, F]))"
    }
}
