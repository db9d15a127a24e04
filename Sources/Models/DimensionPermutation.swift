import Engine

/// FactorVAE's samples from Πⱼ q(zⱼ): each latent dimension permuted across the batch on its own
/// (Kim & Mnih 2018, Algorithm 1). One permutation πₐ of the M rows per column a:
///
///     permuted[i, a] = z[πₐ(i), a]          z, permuted `[M, D]`
///
/// Permuting whole rows (one π for all columns) would keep every code intact and teach the
/// discriminator nothing; permuting along the latent axis would mix dimensions within a code.
public struct DimensionPermutation: Sendable {
    /// πₐ for each column a: `orders[a][i]` is the row whose value lands in row i.
    public let orders: [[Int]]

    /// D independent uniform permutations of M rows, drawn from `rng`.
    public static func draw(rows: Int, columns: Int, rng: inout RandomGenerator) -> DimensionPermutation {
        DimensionPermutation(orders: (0..<columns).map { _ in rng.permutation(rows) })
    }

    public init(orders: [[Int]]) { self.orders = orders }

    /// permuted[i, a] = z[πₐ(i), a].
    public func apply(_ z: Tensor) -> Tensor {
        precondition(z.columns == orders.count && orders.allSatisfy { $0.count == z.rows }, "permutation of \(z.shape)")
        var out = Tensor(shape: z.shape)
        let d = z.columns
        for (a, order) in orders.enumerated() { for (i, source) in order.enumerated() { out[i * d + a] = z[source * d + a] } }
        return out
    }

    /// The gradient through `apply`: ∂z[πₐ(i), a] = ∂permuted[i, a].
    public func backward(_ gradient: Tensor) -> Tensor {
        var out = Tensor(shape: gradient.shape)
        let d = gradient.columns
        for (a, order) in orders.enumerated() { for (i, source) in order.enumerated() { out[source * d + a] += gradient[i * d + a] } }
        return out
    }
}
