import Engine

/// Codes of images whose generative factors are known: the material of the supervised
/// disentanglement metrics. Batches that share a factor's value are drawn from this pool.
public struct FactorCodes: Sendable {
    /// Representations (posterior means) `[N, Z]`.
    public let codes: Tensor
    /// Their posterior log-variances `[N, Z]`, when known (a model's pool; not codes from anywhere).
    public let logVariances: Tensor?
    /// Factor classes, `factorCount` per image, row after row.
    public let classes: [Int]
    /// Number of values of each factor.
    public let sizes: [Int]
    public let names: [String]
    /// positions[f][v]: the pool images whose factor f has value v.
    let positions: [[[Int]]]

    public init(codes: Tensor, logVariances: Tensor? = nil, classes: [Int], sizes: [Int], names: [String]) {
        precondition(classes.count == codes.rows * sizes.count, "one class per image and factor")
        self.codes = codes
        self.logVariances = logVariances
        self.classes = classes
        self.sizes = sizes
        self.names = names
        var positions = sizes.map { [[Int]](repeating: [], count: $0) }
        for n in 0..<codes.rows {
            for f in sizes.indices { positions[f][classes[n * sizes.count + f]].append(n) }
        }
        self.positions = positions
    }

    public var count: Int { codes.rows }
    public var latent: Int { codes.columns }
    public var factorCount: Int { sizes.count }

    /// The class of factor `f` for pool image `image`.
    public func factor(_ image: Int, _ f: Int) -> Int { classes[image * sizes.count + f] }

    func code(_ image: Int) -> ArraySlice<Float> { codes.scalars[(image * latent)..<((image + 1) * latent)] }

    /// A uniformly random pool image.
    func randomImage(_ rng: inout RandomGenerator) -> Int { Int(rng.next() % UInt64(count)) }

    /// A random pool image whose factor `f` has value `value` (nil when the pool has none).
    func randomImage(factor f: Int, value: Int, _ rng: inout RandomGenerator) -> Int? {
        let candidates = positions[f][value]
        return candidates.isEmpty ? nil : candidates[Int(rng.next() % UInt64(candidates.count))]
    }

    /// A random value of factor `f` that the pool holds at least one image of.
    public func randomValue(factor f: Int, _ rng: inout RandomGenerator) -> Int {
        let present = positions[f].indices.filter { !positions[f][$0].isEmpty }
        return present[Int(rng.next() % UInt64(present.count))]
    }
}
