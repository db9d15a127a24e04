import Datasets
import Engine
import Foundation

/// The `.npz` that `betavae score` reads: `codes` float `[N, Z]` (f4 or f8, finite, |x| ≤ 1e12) and `factors`
/// integer `[N, F]` (i8 or u1, ≥ 0, at most `maximumClasses` different values per factor), N equal,
/// at least `CodeScores.minimumRows` and at most `maximumRows`, Z at most `maximumColumns`, at least one factor with two different values. Everything is checked before scoring; each error names the
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
        guard n <= maximumRows else {
            throw CodeArchiveError(path: path, reason: "it holds \(n) rows; score takes at most \(maximumRows) (subsample the codes first)")
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
