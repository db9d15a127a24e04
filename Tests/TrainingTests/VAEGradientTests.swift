import Engine
import Models
import Testing

/// Whole training steps against central differences (`StepGradientCheck` over `FiniteDifference`):
/// both likelihoods, the conditional VAE, and a convolutional feature stage.
@Suite struct VAEGradientTests {
    /// Every parameter element of a tiny MLP, per likelihood and objective: relative error below 5e-3.
    @Test(arguments: [Likelihood.bernoulli, .gaussian],
          [Objective.beta(2), .capacity(gamma: 3, start: 0, max: 40, steps: 10), .deterministic])
    func likelihood(_ likelihood: Likelihood, objective: Objective) {
        var rng = RandomGenerator(seed: 21)
        let spec = ModelSpec(architecture: .mlp, imageShape: [1, 3, 2], hidden: [6], latent: 3, likelihood: likelihood)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [4, 1, 3, 2], low: 0, high: 1)
        StepGradientCheck(model: model, images: images, objective: objective, step: 5).expectAccurate(tolerance: 5e-3)
    }

    /// A CVAE: the one-hot labels join the encoder's and the decoder's input; their columns take
    /// no gradient, the rest of each first-layer weight must.
    @Test(arguments: [Likelihood.bernoulli, .gaussian])
    func conditional(_ likelihood: Likelihood) {
        var rng = RandomGenerator(seed: 22)
        let spec = ModelSpec(architecture: .mlp, imageShape: [1, 2, 3], hidden: [5], latent: 2, conditionClasses: 3,
                             likelihood: likelihood)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [4, 1, 2, 3], low: 0, high: 1)
        let check = StepGradientCheck(model: model, images: images, labels: [2, 0, 1, 2], objective: .beta(1.5))
        check.expectAccurate(tolerance: 5e-3)
        // The decoder's first weight [5, Z + K]: the column of a label no image has takes no gradient.
        let weight = model.namedParameters.first { $0.name == "decoder.0.weight" }!.parameter
        #expect(weight.value.shape == [5, 2 + 3])
        StepGradientCheck(model: model, images: images, labels: [2, 0, 0, 2], objective: .beta(1.5)).stepLoss()
        #expect((0..<5).allSatisfy { weight.gradient[$0 * 5 + 2 + 1] == 0 })
        #expect((0..<5).contains { weight.gradient[$0 * 5 + 2 + 0] != 0 })
    }

    /// conv28 on two images: gradients flow back through the decoder's transposed convolutions, the
    /// encoder and the convolutional feature stage. 16 elements per tensor (the largest |analytic|
    /// and 15 evenly spaced), h = 1e-3; relative error below 4e-2. This is looser than the MLP's
    /// 5e-3 because two limits meet here: ±h straddles ReLU kinks among the ~10⁴ units one
    /// convolution bias moves (an error growing with h: 2.5e-2 at h = 1e-3, 5e-2 at 1e-2), and the
    /// Float32 rounding of 1,568 decoder outputs (growing as h shrinks: 6e-2 at h = 1e-4). A wrong
    /// or missing backward errs by O(1).
    @Test func convolutionalFeatureStage() {
        var rng = RandomGenerator(seed: 23)
        let spec = ModelSpec(architecture: .conv28, imageShape: [1, 28, 28], hidden: [], latent: 2, likelihood: .bernoulli)
        let model = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [2, 1, 28, 28], low: 0, high: 1)
        let comparisons = StepGradientCheck(model: model, images: images, objective: .beta(4), eps: 1e-3, limit: 16)
            .expectAccurate(tolerance: 4e-2)
        let features = comparisons.filter { $0.name.hasPrefix("features.") }
        #expect(features.map(\.name) == ["features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias"])
        #expect(features.allSatisfy { $0.comparison.largestAnalytic > 0 })
    }
}
