import Datasets
import Engine
import Foundation

/// The `.npz` that `betavae score` reads: `codes` float `[N, Z]` (f4 or f8, finite, |x| ≤ 1e12) and `factors`
/// integer `[N, F]` (i8 or u1, ≥ 0, at most `maximumClasses` different values per factor), N equal
/// and at least `CodeScores.minimumRows`, at least one factor with two different values. Everything is checked before scoring; each error names the
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
        /// With a given split: rows 0..<trainRows are `codes_train`, the rest `codes_test`.
        public var trainRows: Int? = nil
    }

    /// The members of a given split, and the fewest rows each side may have.
    public static let splitMembers = ["codes_train", "factors_train", "codes_test", "factors_test"]
    public static let minimumGivenTrainRows = 20
    public static let minimumGivenTestRows = 10

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
        let members = Set(try NPZ.arrayNames(path: path))
        let split = splitMembers.filter(members.contains)
        if !split.isEmpty {
            guard split.count == splitMembers.count else {
                let missing = splitMembers.filter { !members.contains($0) }
                throw CodeArchiveError(path: path, reason: "it holds \(split.joined(separator: ", ")) but not \(missing.joined(separator: ", ")); "
                                       + "a given split needs all four")
            }
            let arrays = try NPZ.read(path: path, arrays: splitMembers)
            guard let codesTrain = arrays["codes_train"], let factorsTrain = arrays["factors_train"],
                  let codesTest = arrays["codes_test"], let factorsTest = arrays["factors_test"] else {
                throw CodeArchiveError(path: path, reason: "expected members " + splitMembers.joined(separator: ", "))
            }
            return try decodeSplit(train: (codesTrain, factorsTrain), test: (codesTest, factorsTest), path: path)
        }
        let arrays = try NPZ.read(path: path, arrays: ["codes", "factors"])
        guard let codes = arrays["codes"], let factors = arrays["factors"] else {
            throw CodeArchiveError(path: path, reason: "expected members codes and factors")
        }
        return try decode(codes: codes, factors: factors, path: path)
    }

    /// A given split: each pair checked as `codes`/`factors` are (naming its members), then the same
    /// Z and F on both sides and enough rows on each; the rows joined train first.
    static func decodeSplit(train: (NPYArray, NPYArray), test: (NPYArray, NPYArray), path: String) throws -> Contents {
        let trainRows = train.0.shape.first ?? 0, testRows = test.0.shape.first ?? 0
        guard trainRows >= minimumGivenTrainRows, testRows >= minimumGivenTestRows else {
            throw CodeArchiveError(path: path, reason: "codes_train has \(trainRows) rows and codes_test \(testRows); scoring needs at least "
                                   + "\(minimumGivenTrainRows) and \(minimumGivenTestRows)")
        }
        func side(_ pair: (NPYArray, NPYArray), _ name: String) throws -> Contents {
            do { return try decode(codes: pair.0, factors: pair.1, path: path, varyingRequired: false) } catch let error as CodeArchiveError {
                // Name the member: "codes has …" → "codes_train has …".
                let reason = error.reason.replacingOccurrences(of: "codes", with: "codes_\(name)")
                    .replacingOccurrences(of: "factors", with: "factors_\(name)")
                throw CodeArchiveError(path: path, reason: reason)
            }
        }
        let a = try side(train, "train"), b = try side(test, "test")
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
                        trainRows: trainRows)
    }

    static func decode(codes: NPYArray, factors: NPYArray, path: String, varyingRequired: Bool = true) throws -> Contents {
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
        guard n >= CodeScores.minimumRows || !varyingRequired else {
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
        guard varying || !varyingRequired else {
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
        "\(path): \(reason) (expected numpy.savez(path, codes=float [N, Z], factors=int [N, F]), or codes_train, factors_train, codes_test, factors_test)"
    }
}
