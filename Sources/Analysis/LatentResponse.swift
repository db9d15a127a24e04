import Datasets
import Engine

/// How each latent responds to each factor: the mean of μ_j over the images whose factor f has
/// each of its values ("this unit is x-position": a rising line against posX, flat against the rest).
public enum LatentResponse {
    /// `curves[f][j][v]`: the mean of `means[:, j]` (`[N, Z]`) over the rows whose factor f has
    /// class v (`classes`: F per row, row after row, `sizes[f]` classes); nil where no row has it.
    public static func curves(means: Tensor, classes: [Int], sizes: [Int]) -> [[[Double?]]] {
        let n = means.rows, z = means.columns, factorCount = sizes.count
        precondition(classes.count == n * factorCount, "one class per row and factor")
        return sizes.indices.map { f in
            var sums = [[Double]](repeating: [Double](repeating: 0, count: sizes[f]), count: z)
            var counts = [Int](repeating: 0, count: sizes[f])
            for row in 0..<n {
                let v = classes[row * factorCount + f]
                counts[v] += 1
                for j in 0..<z { sums[j][v] += Double(means[row * z + j]) }
            }
            return (0..<z).map { j in (0..<sizes[f]).map { counts[$0] > 0 ? sums[j][$0] / Double(counts[$0]) : nil } }
        }
    }
}
