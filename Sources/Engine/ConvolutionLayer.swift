/// What `Conv2d` and `ConvTranspose2d` share: channel counts, a square kernel, stride and padding,
/// the weight and bias with PyTorch's default initialisation, the input, geometry and chunking
/// of the last forward pass (which backward reuses), and each worker's scratch.
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
    var lastInput = Tensor(shape: [0])
    var plan: BatchChunks?
    var scratch: [ConvolutionScratch] = []

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

    /// Keeps `input` and its geometry for backward and plans the batch's chunks; each worker's
    /// scratch is sized for a chunk (`columnsPerImage` column floats and `positions` matrix columns
    /// per image; the channels-first matrix holds the larger channel count).
    func remember(_ input: Tensor, geometry g: ConvGeometry, columnsPerImage: Int, positions: Int) -> BatchChunks {
        let plan = BatchChunks(batch: input.shape[0], columnFloatsPerImage: columnsPerImage, positionsPerImage: positions)
        ConvolutionScratch.ensure(&scratch, workers: plan.workers, columns: plan.chunk * columnsPerImage,
                                  matrix: max(inputChannels, outputChannels) * plan.chunk * positions,
                                  weights: weight.value.count, biases: outputChannels)
        geometry = g
        lastInput = input
        self.plan = plan
        return plan
    }

    /// The geometry, input and chunking of the last forward pass, with the incoming gradient
    /// checked against the output shape that pass produced (`outputShape(geometry, batch)`).
    func lastForward(checking outputGradient: Tensor, outputShape: (ConvGeometry, Int) -> [Int])
        -> (geometry: ConvGeometry, input: Tensor, plan: BatchChunks) {
        guard let g = geometry, let plan else { preconditionFailure("\(type(of: self)).backward before forward") }
        precondition(outputGradient.shape == outputShape(g, plan.batch), "\(type(of: self)) backward got \(outputGradient.shape)")
        return (g, lastInput, plan)
    }
}
