/// 2-D convolution (cross-correlation) with a square kernel, as PyTorch's `nn.Conv2d`,
/// computed as im2col + one sgemm for the whole batch.
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with Ho = ⌊(H + 2p − k)/s⌋ + 1,
/// `weight` `[Cout, Cin, k, k]`, `bias` `[Cout]`.
/// y[n,o] = b[o] + Σ_c W[o,c] ⋆ x[n,c]; backward: ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y, ∂x = col2im(Wᵀ·∂Y).
public final class Conv2d: ConvolutionLayer, InputGradientOptional {
    /// Scratch column matrix [Cin·k·k, N·Ho·Wo], kept between calls so it is not reallocated.
    private var columns: [Float] = []
    private var product: [Float] = []

    /// A layer with PyTorch's default initialisation (fan_in = Cin·k·k) drawn from `rng`.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                rng: inout RandomGenerator) {
        super.init(inputChannels: inputChannels, outputChannels: outputChannels, kernel: kernel, stride: stride, padding: padding,
                   weightShape: [outputChannels, inputChannels, kernel, kernel], fanIn: inputChannels * kernel * kernel, rng: &rng)
    }

    /// Output size for an `height × width` input.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "Conv2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let g = ConvGeometry(channels: inputChannels, height: input.shape[2], width: input.shape[3],
                             kernel: kernel, stride: stride, padding: padding)
        let n = input.shape[0], L = g.positions
        geometry = g
        batch = n
        if columns.count != g.patchSize * n * L {
            columns = [Float](repeating: 0, count: g.patchSize * n * L)
        }
        if product.count != outputChannels * n * L { product = [Float](repeating: 0, count: outputChannels * n * L) }
        var output = Tensor(shape: [n, outputChannels, g.outHeight, g.outWidth])
        g.im2col(input.scalars, batch: n, into: &columns)
        BLAS.sgemm(.none, .none, m: outputChannels, n: n * L, k: g.patchSize, a: weight.value.scalars, b: columns, into: &product)
        ChannelLayout.move(product, batch: n, channels: outputChannels, length: L, toChannelsFirst: false, into: &output.scalars)
        addBias(bias.value, to: &output.scalars, batch: n, length: L)
        return output
    }

    /// ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = col2im(Wᵀ·∂Y).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, n) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.outHeight, g.outWidth] }
        let L = g.positions
        ChannelLayout.move(outputGradient.scalars, batch: n, channels: outputChannels, length: L, toChannelsFirst: true, into: &product)
        accumulateBiasGradient(outputGradient.scalars, into: &bias.gradient, batch: n, length: L)
        BLAS.sgemm(.none, .transposed, m: outputChannels, n: g.patchSize, k: n * L, a: product, b: columns, beta: 1,
                   into: &weight.gradient.scalars)
        guard needsInputGradient else { return Tensor(shape: [0]) }
        var inputGradient = Tensor(shape: [n, inputChannels, g.height, g.width])
        BLAS.sgemm(.transposed, .none, m: g.patchSize, n: n * L, k: outputChannels, a: weight.value.scalars, b: product, into: &columns)
        g.col2im(columns, batch: n, into: &inputGradient.scalars)
        return inputGradient
    }
}

/// y[n, c, ·] += b[c] for a batch `[N, C, L]`.
func addBias(_ bias: Tensor, to y: inout [Float], batch: Int, length: Int) {
    let channels = bias.count
    precondition(y.count >= batch * channels * length, "bias add sizes")
    y.withUnsafeMutableBufferPointer { y in
        for n in 0..<batch {
            for c in 0..<channels {
                let value = bias[c]
                let row = y.baseAddress! + (n * channels + c) * length   // a row pointer keeps the loop vectorised
                for i in 0..<length { row[i] += value }
            }
        }
    }
}

/// ∂b[c] += Σ_{n, l} ∂y[n, c, l] for a batch `[N, C, L]`.
func accumulateBiasGradient(_ dy: [Float], into gradient: inout Tensor, batch: Int, length: Int) {
    let channels = gradient.count
    precondition(dy.count >= batch * channels * length, "bias gradient sizes")
    dy.withUnsafeBufferPointer { dy in
        for n in 0..<batch {
            for c in 0..<channels {
                let row = dy.baseAddress! + (n * channels + c) * length
                var total: Float = 0
                for i in 0..<length { total += row[i] }
                gradient[c] += total
            }
        }
    }
}
