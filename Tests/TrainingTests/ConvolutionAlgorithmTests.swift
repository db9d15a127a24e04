import Testing
@testable import Engine
@testable import Models

/// A whole burgess VAE step with oneDNN's linked convolutions (their ReLUs fused) gives the same
/// loss and parameter gradients as with im2col + sgemm, NCHW between every layer and each ReLU on
/// its own (the path the PyTorch comparisons of the layers pinned down first).
@Suite struct ConvolutionAlgorithmTests {
    func step(_ model: VAE, images: Tensor, direct: Bool) -> (loss: Double, gradients: [[Float]]) {
        let layers = model.features.layers + model.encoder.layers + model.decoder.layers
        let convolutions = layers.compactMap { $0 as? ConvolutionLayer }
        #expect(convolutions.count == 8)
        for layer in convolutions { layer.algorithm = direct ? .direct : .columns }
        if !direct { ConvolutionLinks.unlink(layers) }
        let parameters = model.namedParameters.map(\.parameter)
        Gradients.zero(parameters)
        var rng = RandomGenerator(seed: 3)
        let measured = model.trainStep(images: images, objective: .beta(4), step: 0, rng: &rng)
        return (measured.loss, parameters.map(\.gradient.scalars))
    }

    @Test func burgessStepMatchesIm2col() {
        var rng = RandomGenerator(seed: 2)
        let spec = ModelSpec(architecture: .burgess, imageShape: [1, 64, 64], latent: 6)
        let linked = VAE(spec: spec, rng: &rng)
        rng = RandomGenerator(seed: 2)
        let plain = VAE(spec: spec, rng: &rng)
        let images = rng.uniformTensor(shape: [5, 1, 64, 64], low: 0, high: 1)
        let ours = step(linked, images: images, direct: true)
        let reference = step(plain, images: images, direct: false)
        #expect(abs(ours.loss - reference.loss) < 1e-4 * abs(reference.loss))
        for (index, (a, b)) in zip(ours.gradients, reference.gradients).enumerated() {
            let scale = max(b.map(abs).max() ?? 0, 1e-6)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-3 * scale, "parameter \(index): worst difference \(worst) of \(scale)")
        }
    }
}
