import Testing
@testable import Engine

/// The engine's layers and losses against PyTorch 1.13's numbers for the same weights and inputs
/// (Fixtures/torch_layers.safetensors, made by make_fixtures.py).
@Suite struct PyTorchComparisonTests {
    let file: SafetensorsFile

    init() throws {
        file = try SafetensorsFile.read(path: Fixture.path("torch_layers.safetensors"))
    }

    func close(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-4, _ what: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, "\(what) shape \(a.shape) vs \(b.shape)", sourceLocation: sourceLocation)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a[i] - b[i])) }
        #expect(worst <= tolerance * max(1, b.maxAbs()), "\(what) differs by \(worst)", sourceLocation: sourceLocation)
    }

    /// Loads the fixture's weights into `layer`, runs forward and backward with PyTorch's probe,
    /// and compares output, input gradient and parameter gradients.
    func compare(_ layer: Layer, prefix: String) throws {
        for (name, parameter) in layer.namedParameters {
            parameter.value = try file.tensor("\(prefix).\(name)", shape: parameter.value.shape)
            parameter.zeroGradient()
        }
        let output = layer.forward(try file.tensor("\(prefix).input"))
        close(output, try file.tensor("\(prefix).output"), "\(prefix) output")
        let inputGradient = layer.backward(try file.tensor("\(prefix).probe"))
        close(inputGradient, try file.tensor("\(prefix).input_grad"), "\(prefix) input gradient")
        for (name, parameter) in layer.namedParameters {
            close(parameter.gradient, try file.tensor("\(prefix).\(name)_grad"), "\(prefix).\(name) gradient")
        }
    }

    @Test func linear() throws {
        var rng = RandomGenerator(seed: 0)
        try compare(Linear(5, 4, rng: &rng), prefix: "linear")
    }

    @Test(arguments: [ConvolutionAlgorithm.direct, .columns])
    func conv2d(algorithm: ConvolutionAlgorithm) throws {
        var rng = RandomGenerator(seed: 0)
        let conv = Conv2d(2, 3, kernel: 4, stride: 2, padding: 1, rng: &rng)
        conv.algorithm = algorithm
        try compare(conv, prefix: "conv")
    }

    @Test(arguments: [ConvolutionAlgorithm.direct, .columns])
    func convTranspose2d(algorithm: ConvolutionAlgorithm) throws {
        var rng = RandomGenerator(seed: 0)
        let deconv = ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1, rng: &rng)
        let padded = ConvTranspose2d(2, 2, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng)
        (deconv.algorithm, padded.algorithm) = (algorithm, algorithm)
        try compare(deconv, prefix: "deconv")
        try compare(padded, prefix: "deconv_op")
    }

    @Test func bceWithLogitsAndKL() throws {
        let (perImage, _) = Losses.bernoulliNLL(logits: try file.tensor("bce.logits"), targets: try file.tensor("bce.targets"))
        close(Tensor(shape: [4], scalars: perImage), try file.tensor("bce.per_image"), "BCE per image")
        let kl = Losses.gaussianKL(mean: try file.tensor("kl.mu"), logVariance: try file.tensor("kl.logvar"))
        close(kl, try file.tensor("kl.per_dim"), "KL per dimension")
    }

    /// PyTorch's initialisation bound is 1/√fan_in for weights and biases; ConvTranspose2d takes
    /// fan_in from weight dim 1 (out·k·k).
    @Test func initialisationBounds() {
        var rng = RandomGenerator(seed: 1)
        let linear = Linear(400, 20, rng: &rng)
        #expect(linear.weight.value.maxAbs() <= 0.05 && linear.weight.value.maxAbs() > 0.049)
        let deconv = ConvTranspose2d(32, 1, kernel: 4, stride: 2, padding: 1, rng: &rng)
        #expect(deconv.weight.value.shape == [32, 1, 4, 4])
        #expect(deconv.weight.value.maxAbs() <= 0.25 && deconv.weight.value.maxAbs() > 0.24)
    }
}
