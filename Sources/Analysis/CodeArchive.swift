import Datasets
import Engine
import Foundation

/// The `.npz` that `betavae score` reads: `codes` float `[N, Z]` (f4 or f8, finite, |x| ≤ 1e12) and `factors`
/// integer `[N, F]` (i8 or u1, ≥ 0, at most `maximumClasses` different values per factor), N equal,
/// at least `CodeScores.minimumRows` and at most `maximumRows`, Z at most `maximumColumns`, at least one factor with two different values. Everything is checked before scoring; each error names the
/// file and what is wrong.
///
/// Or disentanglement_lib's split as given: `codes_train`, `factors_train`, `codes_test`,
/// `factors_test` (each pair as above, the same Z and F in both, at least `minimumGivenTrainRows`
/// and `minimumGivenTestRows` rows), scored fitting on the first pair and testing on the second.
public enum CodeArchive {
    public struct Contents: Sendable {
        public var codes: Tensor
        /// N × F values, row after row.
        public var factors: [Int]
        public var factorCount: Int
        /// Rows in the archive (more than `codes.rows` when a pool of `poolRows` was drawn).
        public var totalRows: Int
        /// With a given split: rows 0..<trainRows are `codes_train`, the rest `codes_test`.
        public var trainRows: Int? = nil
    }

    /// The members of a given split, and the fewest rows each side may have.
    public static let splitMembers = ["codes_train", "factors_train", "codes_test", "factors_test"]
    public static let minimumGivenTrainRows = 20
    public static let minimumGivenTestRows = 10

    /// Most latents a codes archive may have.
    public static let maximumColumns = 4096
    /// Most rows a codes archive may have: 100,000 × 4,096 float32 codes are 1.6 GB, which
    /// `score` holds once (README, Performance, for its time and memory there).
    public static let maximumRows = 100_000
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

    /// Most rows scored: a larger archive is scored on a seeded pool of this many rows (as
    /// `evaluate` scores a pool of 30,000 encoded images), so that 100,000 × 4,096 codes (1.6 GB)
    /// are never held whole; BetaVAE and FactorVAE draw from the pool, the train/test split is
    /// taken from it. A given split is scored as given, every row of both sides (each side at most
    /// `maximumRows`).
    public static let poolRows = 30_000
    /// Rows read and checked at a time when the archive is streamed.
    static let chunkRows = 1_024

    /// Reads and validates the archive at `path`. Every row is checked; at most `poolRows` rows
    /// (chosen with `seed`) are kept, except from a given split. An uncompressed archive
    /// (`numpy.savez`) is streamed from the file in row chunks, its shapes checked before its data
    /// is read; a compressed one is read whole. Both layouts (codes/factors and the given split)
    /// go through the same reader.
    public static func read(path: String, seed: UInt64 = 0) throws -> Contents {
        let file = try NPZFile.open(path: path)
        let members: Set<String>
        if let file {
            members = Set((["codes", "factors"] + splitMembers).filter(file.contains))
        } else {
            members = Set(try NPZ.arrayNames(path: path))
        }
        let split = splitMembers.filter(members.contains)
        if !split.isEmpty {
            guard split.count == splitMembers.count else {
                let missing = splitMembers.filter { !members.contains($0) }
                throw CodeArchiveError(path: path, reason: "it holds \(split.joined(separator: ", ")) but not \(missing.joined(separator: ", ")); "
                                       + "a given split needs all four")
            }
            func side(_ name: String) throws -> Contents {
                do {
                    return try load(file: file, path: path, codes: "codes_\(name)", factors: "factors_\(name)", seed: nil, varyingRequired: false)
                } catch let error as CodeArchiveError {
                    // Name the member: "codes has …" → "codes_train has …".
                    let reason = error.reason.replacingOccurrences(of: "codes", with: "codes_\(name)")
                        .replacingOccurrences(of: "factors", with: "factors_\(name)")
                    throw CodeArchiveError(path: path, reason: reason)
                }
            }
            return try joinSplit(train: try side("train"), test: try side("test"), path: path)
        }
        guard members.contains("codes"), members.contains("factors") else {
            throw CodeArchiveError(path: path, reason: "expected members codes and factors")
        }
        return try load(file: file, path: path, codes: "codes", factors: "factors", seed: seed, varyingRequired: true)
    }

    /// One pair of members (`codes` `[N, Z]`, `factors` `[N, F]`), checked; errors name them
    /// "codes" and "factors". Streamed from `file` when the archive is uncompressed, else decoded
    /// whole. With a `seed`, at most `poolRows` rows are kept (`pool`); without, all of them.
    static func load(file: NPZFile?, path: String, codes codesName: String, factors factorsName: String, seed: UInt64?,
                     varyingRequired: Bool) throws -> Contents {
        guard let file else {
            let arrays = try NPZ.read(path: path, arrays: [codesName, factorsName])
            guard let codes = arrays[codesName], let factors = arrays[factorsName] else {
                throw CodeArchiveError(path: path, reason: "expected members codes and factors")
            }
            let whole = try decode(codes: codes, factors: factors, path: path, varyingRequired: varyingRequired)
            guard let seed else { return whole }
            let rows = pool(whole.codes.rows, seed: seed)
            guard rows.count < whole.codes.rows else { return whole }
            let z = whole.codes.columns
            return try contents(codes: rows.flatMap { whole.codes.scalars[($0 * z)..<(($0 + 1) * z)] }, rows: rows, total: whole.codes.rows,
                                latent: z, classes: whole.factors, factorCount: whole.factorCount, varyingRequired: varyingRequired, path: path)
        }
        let header = try file.header(codesName)
        let factors = try file.header(factorsName)
        let (n, z, f) = try checkShapes(codes: header.shape, factors: factors.shape, varyingRequired: varyingRequired, path: path)
        guard header.descr == "<f4" || header.descr == "<f8" else {
            throw CodeArchiveError(path: path, reason: "codes is \(header.descr == "<i8" ? "i8" : "u1"); expected floats (f4 or f8)")
        }
        let classes = try decodeFactors(try file.array(factorsName), rows: n, columns: f, varyingRequired: varyingRequired, path: path)
        let rows = seed.map { pool(n, seed: $0) } ?? Array(0..<n)
        var kept = [Float]()
        kept.reserveCapacity(rows.count * z)
        var next = 0
        var invalid: CodeArchiveError?
        try file.floatRows(codesName, chunkRows: chunkRows) { first, values in
            do throws(CodeArchiveError) { try checkValues(values, firstRow: first, latent: z, path: path) } catch {
                invalid = error
                return false
            }
            let last = first + values.count / z
            while next < rows.count, rows[next] < last {
                let row = rows[next] - first
                kept += values[(row * z)..<((row + 1) * z)]
                next += 1
            }
            return true
        }
        if let invalid { throw invalid }
        return try contents(codes: kept, rows: rows, total: n, latent: z, classes: classes, factorCount: f,
                            varyingRequired: varyingRequired, path: path)
    }

    /// The rows kept: all of them up to `poolRows`, else a seeded choice of `poolRows`, ascending.
    static func pool(_ n: Int, seed: UInt64) -> [Int] {
        guard n > poolRows else { return Array(0..<n) }
        var rng = RandomGenerator(seed: seed &+ 0x9001)
        return rng.permutation(n).prefix(poolRows).sorted()
    }

    /// The kept rows' codes and classes; their factors must still vary (when `varyingRequired`).
    static func contents(codes: [Float], rows: [Int], total: Int, latent z: Int, classes: [Int], factorCount f: Int,
                         varyingRequired: Bool = true, path: String) throws(CodeArchiveError) -> Contents {
        let kept = rows.count == total ? classes : rows.flatMap { classes[($0 * f)..<(($0 + 1) * f)] }
        let varying = (0..<f).contains { column in (1..<max(rows.count, 1)).contains { kept[$0 * f + column] != kept[column] } }
        guard varying || !varyingRequired else {
            throw CodeArchiveError(path: path, reason: "in the \(rows.count) rows drawn to score, every factor has a single value; "
                                   + "scoring needs a factor that varies")
        }
        return Contents(codes: Tensor(shape: [rows.count, z], scalars: codes), factors: kept, factorCount: f, totalRows: total)
    }

    /// A given split: each side checked as `codes`/`factors` are (naming its members), then the same
    /// Z and F on both sides and enough rows on each; the rows joined train first.
    static func joinSplit(train a: Contents, test b: Contents, path: String) throws(CodeArchiveError) -> Contents {
        let trainRows = a.codes.rows, testRows = b.codes.rows
        guard trainRows >= minimumGivenTrainRows, testRows >= minimumGivenTestRows else {
            throw CodeArchiveError(path: path, reason: "codes_train has \(trainRows) rows and codes_test \(testRows); scoring needs at least "
                                   + "\(minimumGivenTrainRows) and \(minimumGivenTestRows)")
        }
        guard a.codes.columns == b.codes.columns else {
            throw CodeArchiveError(path: path, reason: "codes_train has \(a.codes.columns) columns but codes_test \(b.codes.columns); both sides must be the same code")
        }
        guard a.factorCount == b.factorCount else {
            throw CodeArchiveError(path: path, reason: "factors_train has \(a.factorCount) columns but factors_test \(b.factorCount); both sides must have the same factors")
        }
        let all = a.factors + b.factors, f = a.factorCount, n = trainRows + testRows
        let varying = (0..<f).contains { column in (1..<trainRows).contains { all[$0 * f + column] != all[column] } }
        guard varying else {
            throw CodeArchiveError(path: path, reason: "every factor has a single value in factors_train; scoring needs a factor that varies")
        }
        for column in 0..<f {
            let distinct = Set((0..<n).map { all[$0 * f + column] }).count
            guard distinct <= maximumClasses else {
                throw CodeArchiveError(path: path, reason: "factor \(column) has \(distinct) different values; score takes at most \(maximumClasses) classes per factor")
            }
        }
        return Contents(codes: Tensor(shape: [n, a.codes.columns], scalars: a.codes.scalars + b.codes.scalars), factors: all, factorCount: f,
                        totalRows: n, trainRows: trainRows)
    }

    /// N, Z and F from the members' shapes, within the limits.
    static func checkShapes(codes: [Int], factors: [Int], varyingRequired: Bool = true, path: String) throws(CodeArchiveError) -> (n: Int, z: Int, f: Int) {
        guard codes.count == 2 else {
            throw CodeArchiveError(path: path, reason: "codes has shape \(codes); expected [N, Z], one row of floats per item")
        }
        guard factors.count == 2 else {
            throw CodeArchiveError(path: path, reason: "factors has shape \(factors); expected [N, F], one row of integer classes per item")
        }
        let n = codes[0], z = codes[1], f = factors[1]
        guard factors[0] == n else {
            throw CodeArchiveError(path: path, reason: "codes has \(n) rows but factors has \(factors[0]); they must describe the same items")
        }
        guard n >= CodeScores.minimumRows || !varyingRequired else {
            throw CodeArchiveError(path: path, reason: "it holds \(n) rows; scoring needs at least \(CodeScores.minimumRows)")
        }
        guard n <= maximumRows else {
            throw CodeArchiveError(path: path, reason: "it holds \(n) rows; score takes at most \(maximumRows) (subsample the codes first)")
        }
        guard (1...maximumColumns).contains(z) else {
            throw CodeArchiveError(path: path, reason: "codes has \(z) columns; expected 1…\(maximumColumns)")
        }
        guard (1...DatasetLimits.maximumFactors).contains(f) else {
            throw CodeArchiveError(path: path, reason: "factors has \(f) columns; expected 1…\(DatasetLimits.maximumFactors)")
        }
        return (n, z, f)
    }

    /// Finite values within ±`maximumMagnitude`, rows `firstRow…` of `[N, z]` codes.
    static func checkValues(_ values: [Float], firstRow: Int, latent z: Int, path: String) throws(CodeArchiveError) {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CodeArchiveError(path: path, reason: "codes[\(firstRow + bad / z), \(bad % z)] is \(values[bad]), not a finite number")
        }
        // Differences of values near Float's limit overflow to ∞ (the bins of MIG would be NaN).
        if let bad = values.firstIndex(where: { abs($0) > maximumMagnitude }) {
            throw CodeArchiveError(path: path, reason: "codes[\(firstRow + bad / z), \(bad % z)] is \(values[bad]), beyond ±1e12; rescale the codes")
        }
    }

    /// The factor classes, row after row: integers ≥ 0, at most `maximumClasses` values per factor.
    static func decodeFactors(_ factors: NPYArray, rows n: Int, columns f: Int, varyingRequired: Bool = true, path: String) throws(CodeArchiveError) -> [Int] {
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
        guard varying || !varyingRequired else {
            throw CodeArchiveError(path: path, reason: "every factor has a single value; scoring needs a factor that varies")
        }
        return classes
    }

    static func decode(codes: NPYArray, factors: NPYArray, path: String, varyingRequired: Bool = true) throws(CodeArchiveError) -> Contents {
        let (n, z, f) = try checkShapes(codes: codes.shape, factors: factors.shape, varyingRequired: varyingRequired, path: path)
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
        try checkValues(values, firstRow: 0, latent: z, path: path)
        let classes = try decodeFactors(factors, rows: n, columns: f, varyingRequired: varyingRequired, path: path)
        return Contents(codes: Tensor(shape: [n, z], scalars: values), factors: classes, factorCount: f, totalRows: n)
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
        "\(path): \(reason) (expected numpy.savez(path, codes=float [N, Z], factors=int [N, F]), or codes_train, factors_train, codes_test, factors_test)"
    }
}
