import Engine
import Foundation

/// How the code is used: KL per dimension and active units.
public struct LatentUsage: Codable, Equatable, Sendable {
    /// Mean KL(q(z_j|x) ‖ N(0, 1)) over the images, per dimension (nats).
    public var klPerDimension: [Double]
    /// Var over x of E[z_j | x], per dimension.
    public var meanVariance: [Double]
    /// Dimensions with Var_x E[z_j|x] > 0.01 (Burda et al. 2016), in index order.
    public var activeUnits: [Int]
    /// Fewer than two active units: the posterior has (nearly) collapsed.
    public var collapsed: Bool { activeUnits.count < 2 }
    /// Dimensions ordered by KL, largest first.
    public var dimensionsByKL: [Int] {
        klPerDimension.indices.sorted { klPerDimension[$0] > klPerDimension[$1] || (klPerDimension[$0] == klPerDimension[$1] && $0 < $1) }
    }

    public static let activityThreshold = 0.01

    /// The dimensions of `means` `[N, Z]` whose variance over the rows is at most `activityThreshold`.
    public static func inactive(means: Tensor) -> [Int] {
        LatentUsage(means: means, klPerDimension: [Double](repeating: 0, count: means.columns)).inactiveUnits
    }

    /// The dimensions that are not active units.
    public var inactiveUnits: [Int] { (0..<meanVariance.count).filter { !activeUnits.contains($0) } }

    /// From a pass's posterior means `[N, Z]` and its KL per dimension `[Z]` (the pass owns the KL,
    /// so the report's KL figure and metrics.csv show the same numbers).
    public init(means: Tensor, klPerDimension: [Double]) {
        let n = means.rows, z = means.columns
        precondition(klPerDimension.count == z, "one KL per latent dimension")
        var sums = [Double](repeating: 0, count: z), squares = [Double](repeating: 0, count: z)
        for row in 0..<n {
            for j in 0..<z {
                let m = Double(means[row * z + j])
                sums[j] += m
                squares[j] += m * m
            }
        }
        let count = Double(max(n, 1))
        self.klPerDimension = klPerDimension
        let variance = (0..<z).map { max(0, squares[$0] / count - (sums[$0] / count) * (sums[$0] / count)) }
        meanVariance = variance
        activeUnits = (0..<z).filter { variance[$0] > LatentUsage.activityThreshold }
    }
}

/// Principal components of posterior means, by LAPACK's symmetric eigen-solver on the covariance.
public struct PCA: Sendable {
    /// The components `[k, Z]`, each a unit row; the sign makes each component's largest loading positive,
    /// so plots of different epochs do not flip arbitrarily.
    public var components: Tensor
    /// The mean `[Z]` subtracted before projecting.
    public var center: [Float]
    /// Each component's share of the total variance.
    public var explainedVarianceRatio: [Double]

    /// Fits `k` components to `data` `[N, Z]`.
    public init(fitting data: Tensor, components k: Int = 2) throws {
        let n = data.rows, z = data.columns
        precondition(n > 1 && k <= z, "PCA needs ≥ 2 rows and k ≤ columns")
        var center = [Float](repeating: 0, count: z)
        for row in 0..<n { for j in 0..<z { center[j] += data[row * z + j] } }
        center = center.map { $0 / Float(n) }
        var centered = data
        for row in 0..<n { for j in 0..<z { centered[row * z + j] -= center[j] } }
        var covariance = Tensor(shape: [z, z])
        BLAS.gemm(.transposed, centered, .none, centered, into: &covariance, alpha: 1 / Float(n - 1))
        let (values, vectors) = try SymmetricEigen.decompose(covariance)
        let total = values.reduce(0.0) { $0 + Double(max($1, 0)) }
        var rows = Tensor(shape: [k, z])
        for c in 0..<k {
            let vector = (0..<z).map { vectors[c * z + $0] }
            let largest = vector.indices.max { abs(vector[$0]) < abs(vector[$1]) } ?? 0
            let sign: Float = vector[largest] < 0 ? -1 : 1
            for j in 0..<z { rows[c * z + j] = sign * vector[j] }
        }
        components = rows
        self.center = center
        explainedVarianceRatio = (0..<k).map { total > 0 ? Double(max(values[$0], 0)) / total : 0 }
    }

    /// Projects `data` `[N, Z]` to `[N, k]`.
    public func project(_ data: Tensor) -> Tensor {
        let z = center.count
        var centered = data
        for row in 0..<data.rows { for j in 0..<z { centered[row * z + j] -= center[j] } }
        return BLAS.matmul(centered, .none, components, .transposed)
    }
}

/// Label information kept by the code: a k-nearest-neighbour classifier from training means to
/// test labels (Euclidean distance, majority vote, ties to the nearest neighbour's label).
public enum NearestNeighbours {
    /// Accuracy of k-NN predicting `testLabels` from (`trainMeans`, `trainLabels`).
    public static func accuracy(trainMeans: Tensor, trainLabels: [Int], testMeans: Tensor, testLabels: [Int], k: Int = 5) -> Double {
        let n = trainMeans.rows, z = trainMeans.columns
        precondition(testMeans.columns == z && trainLabels.count == n && k > 0)
        let trainNorms = (0..<n).map { row in (0..<z).reduce(Float(0)) { $0 + trainMeans[row * z + $1] * trainMeans[row * z + $1] } }
        var correct = 0
        let chunk = 256
        for start in stride(from: 0, to: testMeans.rows, by: chunk) {
            let rows = testMeans.rows(start..<min(start + chunk, testMeans.rows))
            // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b; ‖a‖² is the same for every candidate of a row.
            let dots = BLAS.matmul(rows, .none, trainMeans, .transposed)
            for r in 0..<rows.rows {
                var best: [(distance: Float, label: Int)] = []
                for j in 0..<n {
                    let d = trainNorms[j] - 2 * dots[r * n + j]
                    if best.count < k {
                        best.append((d, trainLabels[j]))
                        best.sort { $0.distance < $1.distance }
                    } else if d < best[k - 1].distance {
                        best[k - 1] = (d, trainLabels[j])
                        best.sort { $0.distance < $1.distance }
                    }
                }
                var votes: [Int: Int] = [:]
                for item in best { votes[item.label, default: 0] += 1 }
                let top = votes.values.max() ?? 0
                let predicted = best.first { votes[$0.label] == top }?.label ?? -1
                if predicted == testLabels[start + r] { correct += 1 }
            }
        }
        return Double(correct) / Double(max(testMeans.rows, 1))
    }
}
