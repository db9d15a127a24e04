/// What `Conv2d` and `ConvTranspose2d` share: channel counts, a square kernel, stride and padding,
/// the weight and bias with PyTorch's default initialisation, and the geometry and batch size of
/// the last forward pass (which backward reuses).
public class ConvolutionLayer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    var geometry: ConvGeometry?
    var batch = 0

    /// Weight of `weightShape` and bias `[outputChannels]` ~ U(±1/√fanIn) from `rng`.
    init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int, padding: Int, weightShape: [Int], fanIn: Int,
         rng: inout RandomGenerator) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernel > 0 && stride > 0 && padding >= 0, "invalid convolution sizes")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        (weight, bias) = DefaultInitialisation.parameters(weightShape: weightShape, biasCount: outputChannels, fanIn: fanIn, rng: &rng)
    }

    public var namedParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    /// The geometry and batch size of the last forward pass, with the incoming gradient checked
    /// against the output shape that pass produced (`outputShape(geometry, batch)`).
    func lastForward(checking outputGradient: Tensor, outputShape: (ConvGeometry, Int) -> [Int]) -> (geometry: ConvGeometry, batch: Int) {
        guard let g = geometry else { preconditionFailure("\(type(of: self)).backward before forward") }
        precondition(outputGradient.shape == outputShape(g, batch), "\(type(of: self)) backward got \(outputGradient.shape)")
        return (g, batch)
    }
}
