/// 2-D transposed convolution with a square kernel, as PyTorch's `nn.ConvTranspose2d`
/// (the adjoint of Conv2d with the same kernel, stride and padding).
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with
/// Ho = (H − 1)·s − 2p + k + output_padding, `weight` `[Cin, Cout, k, k]`, `bias` `[Cout]`.
/// Forward: y = col2im(Wᵀ·X) + b; backward: ∂X = W·im2col(∂y), ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y.
public final class ConvTranspose2d: ConvolutionLayer, InputGradientOptional {
    public let outputPadding: Int
    private var inputMatrix: [Float] = []
    /// Scratch column matrix [Cout·k·k, N·H·W], kept between calls so it is not reallocated.
    private var columns: [Float] = []

    /// A layer with PyTorch's default initialisation; PyTorch takes fan_in from weight dim 1,
    /// so here fan_in = Cout·k·k.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, rng: inout RandomGenerator) {
        precondition(outputPadding >= 0 && outputPadding < max(stride, 1), "output_padding must be < stride")
        self.outputPadding = outputPadding
        super.init(inputChannels: inputChannels, outputChannels: outputChannels, kernel: kernel, stride: stride, padding: padding,
                   weightShape: [inputChannels, outputChannels, kernel, kernel], fanIn: outputChannels * kernel * kernel, rng: &rng)
    }

    /// Output size for an `height × width` input.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height - 1) * stride - 2 * padding + kernel + outputPadding,
         (width - 1) * stride - 2 * padding + kernel + outputPadding)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "ConvTranspose2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let (h, w) = (input.shape[2], input.shape[3])
        let size = outputSize(height: h, width: w)
        // The output plays the part of a Conv2d input whose output is this layer's input.
        let g = ConvGeometry(channels: outputChannels, height: size.height, width: size.width,
                             kernel: kernel, stride: stride, padding: padding)
        precondition(g.outHeight == h && g.outWidth == w, "ConvTranspose2d geometry mismatch")
        let n = input.shape[0], L = h * w
        geometry = g
        batch = n
        if inputMatrix.count != inputChannels * n * L { inputMatrix = [Float](repeating: 0, count: inputChannels * n * L) }
        if columns.count != g.patchSize * n * L { columns = [Float](repeating: 0, count: g.patchSize * n * L) }
        var output = Tensor(shape: [n, outputChannels, size.height, size.width])
        ChannelLayout.move(input.scalars, batch: n, channels: inputChannels, length: L, toChannelsFirst: true, into: &inputMatrix)
        BLAS.sgemm(.transposed, .none, m: g.patchSize, n: n * L, k: inputChannels, a: weight.value.scalars, b: inputMatrix, into: &columns)
        g.col2im(columns, batch: n, into: &output.scalars)
        addBias(bias.value, to: &output.scalars, batch: n, length: size.height * size.width)
        return output
    }

    /// ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = W·im2col(∂y).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, n) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.height, g.width] }
        let L = g.positions
        g.im2col(outputGradient.scalars, batch: n, into: &columns)
        accumulateBiasGradient(outputGradient.scalars, into: &bias.gradient, batch: n, length: g.height * g.width)
        BLAS.sgemm(.none, .transposed, m: inputChannels, n: g.patchSize, k: n * L, a: inputMatrix, b: columns, beta: 1,
                   into: &weight.gradient.scalars)
        guard needsInputGradient else { return Tensor(shape: [0]) }
        var dX = [Float](repeating: 0, count: inputChannels * n * L)
        BLAS.sgemm(.none, .none, m: inputChannels, n: n * L, k: g.patchSize, a: weight.value.scalars, b: columns, into: &dX)
        var inputGradient = Tensor(shape: [n, inputChannels, g.outHeight, g.outWidth])
        ChannelLayout.move(dX, batch: n, channels: inputChannels, length: L, toChannelsFirst: false, into: &inputGradient.scalars)
        return inputGradient
    }
}
