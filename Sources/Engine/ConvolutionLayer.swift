import CKernels

/// What `Conv2d` and `ConvTranspose2d` share: channel counts, a square kernel, stride and padding,
/// the weight and bias with PyTorch's default initialisation, the input and geometry of the last
/// forward pass (which backward reuses), how each pass is planned, and each worker's scratch.
public class ConvolutionLayer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    /// How the passes compute: `.direct` (oneDNN) where it runs them well, `.columns` forces
    /// im2col + sgemm everywhere (the tests check one against the other).
    public var algorithm = ConvolutionAlgorithm.direct
    /// Whether the layer's input (and ∂input) and its output (and ∂output) are in oneDNN's blocked
    /// layout rather than NCHW: set by `Sequential` for linked convolutions (`ConvolutionLinks`).
    /// oneDNN's passes take them as they are; the im2col path converts at its edges.
    var inputBlocked = false
    var outputBlocked = false
    /// A ReLU between this layer and the next convolution, fused into both (`ConvolutionLinks`):
    /// this layer's forward pass writes max(y, 0), and the next one's backward pass zeroes ∂x
    /// where its input (that ReLU's output) is 0; the ReLU layer itself passes through.
    var rectifiesOutput = false
    var masksInputGradient = false
    var geometry: ConvGeometry?
    /// A convolution oneDNN had no jit kernel for, so that later passes go to im2col at once
    /// instead of asking oneDNN again (making a descriptor takes up to a millisecond).
    var directUnavailable: DirectConvolution.Kind?
    var lastInput = Tensor(shape: [0])
    /// Whether the last pass ran on the engine's one-channel kernels (for tests).
    var lastPassOwn = false
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

    /// Keeps `input` and the pass's geometry for backward.
    func remember(_ input: Tensor, geometry g: ConvGeometry) {
        geometry = g
        lastInput = input
    }

    /// Images per chunk of a direct pass: a 16-image chunk of the burgess net's widest layer
    /// (2 MB of nChw16c input) ran as fast per image as 32 or 64 (`bench conv`), and bounds the
    /// buffers oneDNN keeps per chunk size.
    static let directChunk = 16

    /// How a pass over `batch` images runs, with each worker's scratch made ready for it: by the
    /// engine's one-channel kernels where they apply (`SingleChannelConvolution`, returned with
    /// the algorithm `.direct`: the pass keeps its blocked tensors), else direct when `direct` is
    /// asked for and oneDNN has the convolution `kind` (as a Conv2d sees it), else im2col with
    /// `columnsPerImage` column floats and `positions` matrix columns per image. `dataPass`: the
    /// pass needs oneDNN's ∂x (Conv2d's backward with an input gradient, ConvTranspose2d's
    /// forward), which goes to im2col for sources under
    /// `DirectConvolution.backwardDataMinimumChannels` channels.
    func plan(_ algorithm: ConvolutionAlgorithm, batch: Int, kind: DirectConvolution.Kind, dataPass: Bool,
              columnsPerImage: Int, positions: Int) -> (chunks: BatchChunks, algorithm: ConvolutionAlgorithm, own: SingleChannelConvolution?) {
        lastPassOwn = false
        if algorithm == .direct, let own = SingleChannelConvolution(kind: kind) {
            lastPassOwn = true
            let chunks = BatchChunks(batch: batch, imagesPerChunk: Self.directChunk)
            ConvolutionScratch.ensure(&scratch, workers: chunks.workers, columns: own.scratchFloats, matrix: 0,
                                      weights: weight.value.count, biases: outputChannels)
            return (chunks, .direct, own)
        }
        let fewChannels = dataPass && kind.source.channels < DirectConvolution.backwardDataMinimumChannels
        if algorithm == .direct && !fewChannels && directUnavailable != kind {
            let chunks = BatchChunks(batch: batch, imagesPerChunk: Self.directChunk)
            ConvolutionScratch.ensure(&scratch, workers: chunks.workers, columns: 0, matrix: 0, weights: weight.value.count, biases: outputChannels)
            if ConvolutionScratch.prepareDirect(scratch, chunks: chunks, kind: kind) {
                return (chunks, .direct, nil)
            }
            directUnavailable = kind
        }
        let chunks = BatchChunks(batch: batch, columnFloatsPerImage: columnsPerImage, positionsPerImage: positions)
        ConvolutionScratch.ensure(&scratch, workers: chunks.workers, columns: chunks.chunk * columnsPerImage,
                                  matrix: max(inputChannels, outputChannels) * chunks.chunk * positions,
                                  weights: weight.value.count, biases: outputChannels)
        return (chunks, .columns, nil)
    }

    /// max(x, 0) in place over `count` floats (a fused ReLU's forward half).
    func rectify(_ x: UnsafeMutablePointer<Float>, count: Int) {
        bv_relu_in_place(count, x)
    }

    /// ∂x = 0 where the input x is 0 (a fused ReLU's backward half: x is that ReLU's output),
    /// in place over `count` floats.
    func mask(_ dx: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, count: Int) {
        bv_relu_mask(count, x, dx)
    }

    /// `tensor` as NCHW for the im2col path, from the blocked layout when `blocked`.
    func plain(_ tensor: Tensor, blocked: Bool) -> Tensor {
        blocked && tensor.count > 0 ? ChannelBlocks.convert(tensor, toBlocked: false) : tensor
    }

    /// An NCHW result of the im2col path, in the blocked layout when `blocked`.
    func laidOut(_ tensor: Tensor, blocked: Bool) -> Tensor {
        blocked && tensor.count > 0 ? ChannelBlocks.convert(tensor, toBlocked: true) : tensor
    }

    /// The geometry and input of the last forward pass, with the incoming gradient checked against
    /// the output shape that pass produced (`outputShape(geometry, batch)`).
    func lastForward(checking outputGradient: Tensor, outputShape: (ConvGeometry, Int) -> [Int]) -> (geometry: ConvGeometry, input: Tensor) {
        guard let g = geometry else { preconditionFailure("\(type(of: self)).backward before forward") }
        precondition(outputGradient.shape == outputShape(g, lastInput.shape[0]), "\(type(of: self)) backward got \(outputGradient.shape)")
        return (g, lastInput)
    }
}
