import Testing
@testable import Engine

/// Central-difference checks (`FiniteDifference`, through `GradientCheck`) of every layer's input
/// and parameter gradients: Linear, Conv2d, ConvTranspose2d, ReLU, LeakyReLU, Sigmoid, Tanh,
/// Flatten, Unflatten and Sequential. Relative errors below 2e-3 (5e-3 for a chain) in Float32.
@Suite struct LayerGradientTests {
    let check = GradientCheck()

    func expectAccurate(_ layer: Layer, _ input: Tensor, check: GradientCheck? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        let check = check ?? self.check
        let comparisons = check.compare(layer, input: input)
        #expect(comparisons.input.checked == input.count, sourceLocation: sourceLocation)
        #expect(comparisons.input.relativeError < check.tolerance, "input: \(comparisons.input)", sourceLocation: sourceLocation)
        for (name, comparison) in comparisons.parameters {
            #expect(comparison.relativeError < check.tolerance, "\(name): \(comparison)", sourceLocation: sourceLocation)
        }
    }

    func randomInput(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return rng.normalTensor(shape: shape)
    }

    @Test func linear() {
        var rng = RandomGenerator(seed: 3)
        expectAccurate(Linear(5, 4, rng: &rng), randomInput([3, 5]))
    }

    /// (kernel, stride, padding) for Conv2d, and output padding too for ConvTranspose2d.
    static let convSizes = [(3, 1, 0), (3, 2, 1), (4, 2, 1), (2, 3, 2)]
    static let deconvSizes = [(3, 1, 0, 0), (4, 2, 1, 0), (3, 2, 1, 1), (2, 3, 0, 2)]

    /// With 2 and 3 channels oneDNN computes the forward and ∂W passes; ∂x of so few channels
    /// takes im2col (`DirectConvolution.backwardDataMinimumChannels`).
    @Test(arguments: convSizes, [ConvolutionAlgorithm.direct, .columns])
    func conv2d(sizes: (kernel: Int, stride: Int, padding: Int), algorithm: ConvolutionAlgorithm) {
        var rng = RandomGenerator(seed: 4)
        let layer = Conv2d(2, 3, kernel: sizes.kernel, stride: sizes.stride, padding: sizes.padding, rng: &rng)
        layer.algorithm = algorithm
        expectAccurate(layer, randomInput([2, 2, 6, 5]))
    }

    @Test(arguments: deconvSizes, [ConvolutionAlgorithm.direct, .columns])
    func convTranspose2d(sizes: (kernel: Int, stride: Int, padding: Int, outputPadding: Int), algorithm: ConvolutionAlgorithm) {
        var rng = RandomGenerator(seed: 5)
        let layer = ConvTranspose2d(3, 2, kernel: sizes.kernel, stride: sizes.stride, padding: sizes.padding,
                                    outputPadding: sizes.outputPadding, rng: &rng)
        layer.algorithm = algorithm
        expectAccurate(layer, randomInput([2, 3, 4, 3]))
    }

    /// With 8 channels on both sides oneDNN computes every pass of both layers, including ∂x of
    /// Conv2d and the forward pass of ConvTranspose2d.
    @Test(arguments: [ConvolutionAlgorithm.direct, .columns])
    func eightChannelConvolutions(algorithm: ConvolutionAlgorithm) {
        var rng = RandomGenerator(seed: 6)
        let conv = Conv2d(8, 8, kernel: 4, stride: 2, padding: 1, rng: &rng)
        let deconv = ConvTranspose2d(8, 8, kernel: 4, stride: 2, padding: 1, rng: &rng)
        for layer in [conv, deconv] as [ConvolutionLayer & Layer] {
            layer.algorithm = algorithm
            expectAccurate(layer, randomInput([2, 8, 6, 4]))
            #expect(layer.scratch[0].direct.isEmpty == (algorithm == .columns), "oneDNN used only when asked for")
        }
    }

    /// Inputs kept away from the kink at 0, where a finite difference straddles two slopes.
    func awayFromZero(_ shape: [Int]) -> Tensor {
        var x = randomInput(shape)
        for i in 0..<x.count where abs(x[i]) < 0.05 { x[i] = x[i] < 0 ? -0.3 : 0.3 }
        return x
    }

    @Test func relu() { expectAccurate(ReLU(), awayFromZero([4, 7])) }
    @Test func leakyReLU() { expectAccurate(LeakyReLU(slope: 0.2), awayFromZero([4, 7])) }
    @Test func sigmoid() { expectAccurate(Sigmoid(), randomInput([4, 7]), check: GradientCheck(eps: 1e-3)) }
    @Test func tanh() { expectAccurate(Tanh(), randomInput([4, 7]), check: GradientCheck(eps: 1e-3)) }

    @Test func flattenAndUnflatten() {
        let layer = Sequential([Flatten(), Unflatten([3, 2, 2])])
        let x = randomInput([2, 3, 2, 2])
        #expect(layer.forward(x) == x)
        expectAccurate(layer, x)
    }

    /// A small encoder–decoder chain: conv, activation, flatten, linear, unflatten, transposed conv.
    @Test func sequentialNetwork() {
        var rng = RandomGenerator(seed: 9)
        let net = Sequential([
            Conv2d(1, 2, kernel: 4, stride: 2, padding: 1, rng: &rng), Tanh(), Flatten(),
            Linear(2 * 4 * 4, 8, rng: &rng), Tanh(), Linear(8, 2 * 4 * 4, rng: &rng), Unflatten([2, 4, 4]),
            ConvTranspose2d(2, 1, kernel: 4, stride: 2, padding: 1, rng: &rng),
        ])
        let check = GradientCheck(eps: 1e-2, tolerance: 5e-3)
        expectAccurate(net, randomInput([2, 1, 8, 8]), check: check)
        #expect(net.namedParameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias", "7.weight", "7.bias"])
    }

    /// A convolution and a transposed one with 16 channels between them pass that tensor in
    /// oneDNN's blocked layout (`ConvolutionLinks`); the chain's gradients are still exact.
    @Test func linkedConvolutions() {
        var rng = RandomGenerator(seed: 10)
        let net = Sequential([
            Conv2d(2, 16, kernel: 4, stride: 2, padding: 1, rng: &rng), Tanh(),
            ConvTranspose2d(16, 2, kernel: 4, stride: 2, padding: 1, rng: &rng),
        ])
        #expect((net.layers[0] as? Conv2d)?.outputBlocked == true && (net.layers[2] as? ConvTranspose2d)?.inputBlocked == true)
        expectAccurate(net, randomInput([2, 2, 8, 6]), check: GradientCheck(eps: 1e-2, tolerance: 5e-3))
    }

    @Test func skippedInputGradientStillAccumulatesParameterGradients() {
        var rng = RandomGenerator(seed: 2)
        let a = Linear(4, 3, rng: &rng)
        let net = Sequential([Flatten(), a])
        net.skipInputGradient()
        #expect(a.needsInputGradient == false)
        _ = net.forward(randomInput([2, 2, 2]))
        let dx = net.backward(Tensor(shape: [2, 3], repeating: 1))
        #expect(dx.count == 0)
        #expect(a.bias.gradient.scalars == [2, 2, 2])
    }
}
