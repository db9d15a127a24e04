/// Everything needed to rebuild a model's layers: the architecture and its sizes.
public struct ModelSpec: Codable, Equatable, Sendable {
    public var architecture: Architecture
    /// `[C, H, W]` of the images.
    public var imageShape: [Int]
    /// Hidden sizes of the MLP (ignored by the convolutional architectures).
    public var hidden: [Int]
    /// Latent dimensions Z.
    public var latent: Int
    /// Label classes for a conditional VAE (0: unconditional).
    public var conditionClasses: Int
    public var likelihood: Likelihood

    /// A spec with the given sizes (checked by `problem`, not here: a spec from a file may be invalid).
    public init(architecture: Architecture, imageShape: [Int], hidden: [Int] = [400], latent: Int = 20,
                conditionClasses: Int = 0, likelihood: Likelihood = .bernoulli) {
        self.architecture = architecture
        self.imageShape = imageShape
        self.hidden = hidden
        self.latent = latent
        self.conditionClasses = conditionClasses
        self.likelihood = likelihood
    }

    /// C·H·W.
    public var imageSize: Int { imageShape.reduce(1, *) }
}
