import Datasets
import Engine
import Models

/// Where the disentanglement metrics get their observations: a pool of encoded images (a file's
/// images, or codes from anywhere) or a dataset that draws any factor combination (sprites), whose
/// observations are drawn fresh from the factor space as disentanglement_lib draws them.
public protocol FactorSampler {
    var latent: Int { get }
    /// Number of classes of each factor.
    var sizes: [Int] { get }
    /// What the observations are, for the report ("fresh sprites drawn from the factor grid").
    var source: String { get }
    /// One observation per request: `request[f]` pins factor f to that class (nil: drawn uniformly).
    /// Returns the posterior of each observation (means and log-variances `[count, Z]`) and its
    /// factor classes (count × F, row after row).
    func observe(_ requests: [[Int?]], rng: inout RandomGenerator) -> (encoded: EncodedSet, classes: [Int])
    /// A class of factor `f` that `observe` can pin.
    func randomValue(factor f: Int, _ rng: inout RandomGenerator) -> Int
}

extension FactorSampler {
    var factorCount: Int { sizes.count }

    /// `count` observations with every factor drawn.
    func observe(count: Int, rng: inout RandomGenerator) -> (encoded: EncodedSet, classes: [Int]) {
        observe([[Int?]](repeating: [Int?](repeating: nil, count: sizes.count), count: count), rng: &rng)
    }
}

extension FactorCodes: FactorSampler {
    public var source: String { "a pool of \(count) encoded images" }

    /// Pool images chosen uniformly among those matching the request's pinned factor (at most one
    /// factor may be pinned: a pool rarely holds every combination).
    public func observe(_ requests: [[Int?]], rng: inout RandomGenerator) -> (encoded: EncodedSet, classes: [Int]) {
        let rows = requests.map { request -> Int in
            let pinned = request.indices.filter { request[$0] != nil }
            precondition(pinned.count <= 1, "a pool answers requests pinning at most one factor")
            guard let f = pinned.first, let value = request[f] else { return randomImage(&rng) }
            return randomImage(factor: f, value: value, &rng) ?? randomImage(&rng)
        }
        let picked = Observations(pool: self, rows: rows)
        return (picked.encoded, picked.classes)
    }
}

/// Fresh observations from a dataset that draws any factor combination: the requested classes
/// (the rest uniform) are drawn and encoded by the model in batches of `PosteriorPass.batchSize`.
public struct GeneratedObservations: FactorSampler {
    public let model: VAE
    public let generator: any FactorImageGenerator
    public let binarization: Binarization
    public let sizes: [Int]

    public init?(model: VAE, dataset: Dataset, binarization: Binarization) {
        guard let generator = dataset.train as? any FactorImageGenerator, let table = generator.factors else { return nil }
        self.model = model
        self.generator = generator
        self.binarization = binarization
        sizes = table.sizes
    }

    public var latent: Int { model.spec.latent }
    public var source: String { "fresh images drawn from the factor space" }

    public func observe(_ requests: [[Int?]], rng: inout RandomGenerator) -> (encoded: EncodedSet, classes: [Int]) {
        let classes = requests.map { request in sizes.indices.map { request[$0] ?? Int(rng.next() % UInt64(sizes[$0])) } }
        let pass = PosteriorPass(model: model, set: generator.images(classes: classes), binarization: binarization, seed: rng.next())
        return (pass.encode(), classes.flatMap { $0 })
    }

    public func randomValue(factor f: Int, _ rng: inout RandomGenerator) -> Int { Int(rng.next() % UInt64(sizes[f])) }
}
