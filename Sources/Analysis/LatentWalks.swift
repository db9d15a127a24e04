import Engine
import Foundation
import Models

/// How far a traversal sweeps each dimension.
public enum TraversalRange: String, CaseIterable, Codable, Sendable {
    /// −k … +k around the base (k = 3 by default).
    case fixed
    /// The prior's 5% … 95% quantiles, Φ⁻¹(0.05) … Φ⁻¹(0.95).
    case priorQuantiles = "prior"
    /// ±2 standard deviations of the aggregate posterior's means around their mean.
    case aggregatePosterior = "posterior"
    /// From the smallest to the largest encoded mean.
    case minMax = "minmax"
}

/// Decoded walks through the latent space: interpolations, traversals, the posterior neighbourhood
/// of an image, the decoded manifold of a 2-D code, class grids of a conditional model, and prior samples.
public enum LatentWalks {
    /// Codes from `a` to `b` `[Z]` in `steps` steps, straight or spherical (slerp, White 2016).
    public static func interpolation(from a: [Float], to b: [Float], steps: Int = 16, spherical: Bool = false) -> Tensor {
        precondition(a.count == b.count && steps >= 2)
        let z = a.count
        var codes = Tensor(shape: [steps, z])
        let normA = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), normB = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let cosine = normA > 0 && normB > 0 ? min(max(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (normA * normB), -1), 1) : 1
        let omega = Foundation.acos(cosine)
        for step in 0..<steps {
            let t = Float(step) / Float(steps - 1)
            let (wa, wb): (Float, Float) = spherical && omega > 1e-4
                ? (Foundation.sin((1 - t) * omega) / Foundation.sin(omega), Foundation.sin(t * omega) / Foundation.sin(omega))
                : (1 - t, t)
            for j in 0..<z { codes[step * z + j] = wa * a[j] + wb * b[j] }
        }
        return codes
    }

    /// The values a traversal of dimension `j` takes (`steps` of them, ascending).
    public static func traversalValues(dimension j: Int, range: TraversalRange, steps: Int, base: [Float], means: Tensor?,
                                       limit k: Double = 3) -> [Float] {
        let (low, high): (Double, Double)
        switch range {
        case .fixed: (low, high) = (Double(base[j]) - k, Double(base[j]) + k)
        case .priorQuantiles: (low, high) = (NormalQuantile.of(0.05), NormalQuantile.of(0.95))
        case .aggregatePosterior, .minMax:
            let column = means.map { m in (0..<m.rows).map { Double(m[$0 * m.columns + j]) } } ?? [0]
            if range == .minMax {
                (low, high) = (column.min() ?? -k, column.max() ?? k)
            } else {
                let mean = column.reduce(0, +) / Double(column.count)
                let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)).squareRoot()
                (low, high) = (mean - 2 * sd, mean + 2 * sd)
            }
        }
        return (0..<steps).map { Float(low + (high - low) * Double($0) / Double(max(steps - 1, 1))) }
    }

    /// Traversal codes: for each dimension in `dimensions`, `steps` copies of `base` with that
    /// dimension swept over its range. Returns `[dimensions.count · steps, Z]` (row-major by dimension)
    /// and the values of each row of the grid.
    public static func traversal(base: [Float], dimensions: [Int], range: TraversalRange, steps: Int = 10,
                                 means: Tensor? = nil, limit: Double = 3) -> (codes: Tensor, values: [[Float]]) {
        let z = base.count
        var codes = Tensor(shape: [dimensions.count * steps, z])
        var values: [[Float]] = []
        for (row, j) in dimensions.enumerated() {
            let sweep = traversalValues(dimension: j, range: range, steps: steps, base: base, means: means, limit: limit)
            values.append(sweep)
            for (step, value) in sweep.enumerated() {
                for d in 0..<z { codes[(row * steps + step) * z + d] = d == j ? value : base[d] }
            }
        }
        return (codes, values)
    }

    /// μ + σ·ε over a `side × side` grid of ε ∈ [−2, 2]² in dimensions `a` and `b` (ε = 0 elsewhere).
    public static func posteriorGrid(mean: [Float], logVariance: [Float], dimensions a: Int, _ b: Int, side: Int = 7) -> Tensor {
        let z = mean.count
        var codes = Tensor(shape: [side * side, z])
        for row in 0..<side {
            for column in 0..<side {
                let epsA = -2 + 4 * Float(column) / Float(side - 1), epsB = 2 - 4 * Float(row) / Float(side - 1)
                for d in 0..<z {
                    let sigma = Foundation.exp(0.5 * logVariance[d])
                    codes[(row * side + column) * z + d] = mean[d] + (d == a ? sigma * epsA : (d == b ? sigma * epsB : 0))
                }
            }
        }
        return codes
    }

    /// For Z = 2: a `side × side` grid over the prior's quantiles Φ⁻¹(0.05 … 0.95) (Kingma & Welling 2014, fig. 4).
    public static func manifold(side: Int = 15) -> Tensor {
        var codes = Tensor(shape: [side * side, 2])
        let values = (0..<side).map { Float(NormalQuantile.of(0.05 + 0.9 * Double($0) / Double(side - 1))) }
        for row in 0..<side {
            for column in 0..<side {
                codes[(row * side + column) * 2] = values[column]
                codes[(row * side + column) * 2 + 1] = values[side - 1 - row]
            }
        }
        return codes
    }

    /// `count` draws from the prior N(0, I) `[count, Z]`.
    public static func priorSamples(count: Int, latent: Int, rng: inout RandomGenerator) -> Tensor {
        rng.normalTensor(shape: [count, latent])
    }

    /// For a conditional model: the same `samples` prior codes decoded with every class label.
    /// Returns codes `[classes · samples, Z]` and labels (class-major).
    public static func classGrid(classes: Int, samples: Int, latent: Int, rng: inout RandomGenerator) -> (codes: Tensor, labels: [Int]) {
        let draws = rng.normalTensor(shape: [samples, latent])
        var codes = Tensor(shape: [classes * samples, latent])
        for c in 0..<classes {
            codes.scalars.replaceSubrange((c * samples * latent)..<((c + 1) * samples * latent), with: draws.scalars)
        }
        return (codes, (0..<classes).flatMap { Array(repeating: $0, count: samples) })
    }
}
