/// 2-D convolution (cross-correlation) with a square kernel, as PyTorch's `nn.Conv2d`, computed by
/// oneDNN's direct kernels (`DirectConvolution`), the engine's own for a one-channel input whose
/// output is linked in nChw8c (`SingleChannelConvolution`), or im2col + sgemm, on chunks of the
/// batch shared among the cores (`BatchChunks`).
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with Ho = ⌊(H + 2p − k)/s⌋ + 1,
/// `weight` `[Cout, Cin, k, k]`, `bias` `[Cout]`.
/// y[n,o] = b[o] + Σ_c W[o,c] ⋆ x[n,c]; backward: ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y, ∂x = col2im(Wᵀ·∂Y).
public final class Conv2d: ConvolutionLayer, InputGradientOptional {
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

    /// The pass's chunks and algorithm for `batch` images of geometry `g` (`ConvolutionLayer.plan`).
    private func plan(_ algorithm: ConvolutionAlgorithm, batch: Int, _ g: ConvGeometry, dataPass: Bool)
        -> (chunks: BatchChunks, algorithm: ConvolutionAlgorithm, own: SingleChannelConvolution?) {
        let kind = DirectConvolution.Kind(source: g, outputChannels: outputChannels, sourceBlocked: inputBlocked, destinationBlocked: outputBlocked,
                                          rectified: rectifiesOutput)
        return plan(algorithm, batch: batch, kind: kind, dataPass: dataPass, columnsPerImage: g.patchSize * g.positions, positions: g.positions)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`: per chunk of b images, oneDNN's
    /// y = W ⋆ x + b, or cols = im2col(x) `[Cin·k², b·L]`, y = W·cols + b (L = Ho·Wo).
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "Conv2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let g = ConvGeometry(channels: inputChannels, height: input.shape[2], width: input.shape[3],
                             kernel: kernel, stride: stride, padding: padding)
        remember(input, geometry: g)
        let (plan, how, own) = plan(algorithm, batch: input.shape[0], g, dataPass: false)
        let input = how == .direct ? input : plain(input, blocked: inputBlocked)
        let (L, cout) = (g.positions, outputChannels)
        // Both algorithms write every output element.
        var output = Tensor.unfilled(shape: [input.shape[0], cout, g.outHeight, g.outWidth])
        let planes = ChunkPlanes(input: inputChannels * g.height * g.width, outputGradient: 0, written: cout * L)
        forEachChunk(plan: plan, input: input, outputGradient: nil, written: &output.scalars, planes: planes) { chunk in
            let (b, out) = (chunk.count, chunk.written!)
            if let own {
                own.spread(chunk.input, batch: b, weight: chunk.weight, bias: chunk.bias, rectify: rectifiesOutput, into: out, scratch: chunk.columns)
                return
            }
            if how == .direct { chunk.direct!.forward(chunk.input, weight: chunk.weight, bias: chunk.bias, into: out); return }
            g.im2col(chunk.input, batch: b, into: chunk.columns)
            // One image's [Cout, L] product is already its NCHW output.
            BLAS.sgemm(.none, .none, m: cout, n: b * L, k: g.patchSize, a: chunk.weight, b: chunk.columns, c: b == 1 ? out : chunk.matrix)
            if b > 1 { ChannelLayout.batchFirst(chunk.matrix, batch: b, channels: cout, length: L, into: out) }
            ChannelBias.add(chunk.bias, to: out, batch: b, channels: cout, length: L)
            if rectifiesOutput { rectify(out, count: b * cout * L) }
        }
        return how == .direct ? output : laidOut(output, blocked: outputBlocked)
    }

    /// ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = col2im(Wᵀ·∂Y). By the engine's
    /// one-channel kernels for a one-channel input and blocked output (`SingleChannelConvolution`),
    /// else by oneDNN, except ∂x of an input with under 8 channels, which oneDNN computes at 14
    /// GFLOPS for one channel (`DirectConvolution.backwardDataMinimumChannels`). The im2col path unfolds the columns again
    /// per chunk rather than keeping them from forward: recomputing them in cache is cheaper than
    /// streaming a whole batch's columns back from memory.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, saved) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.outHeight, g.outWidth] }
        let (plan, how, own) = plan(algorithm, batch: saved.shape[0], g, dataPass: needsInputGradient)
        let (input, outputGradient) = how == .direct ? (saved, outputGradient)
            : (plain(saved, blocked: inputBlocked), plain(outputGradient, blocked: outputBlocked))
        let (L, cout) = (g.positions, outputChannels)
        // oneDNN writes all of ∂x; col2im adds into it.
        let dxShape = needsInputGradient ? input.shape : [0]
        var inputGradient = how == .direct ? Tensor.unfilled(shape: dxShape) : Tensor(shape: dxShape)
        let planes = ChunkPlanes(input: inputChannels * g.height * g.width, outputGradient: cout * L, written: inputChannels * g.height * g.width)
        forEachChunk(plan: plan, input: input, outputGradient: outputGradient, written: &inputGradient.scalars, planes: planes) { chunk in
            let (b, dy) = (chunk.count, chunk.outputGradient!)
            if let own {
                own.weights(image: chunk.input, tensor: dy, batch: b, addingTo: chunk.weightGradient, biasGradient: chunk.biasGradient,
                            scratch: chunk.columns)
                if let dx = chunk.written { own.gather(dy, batch: b, weight: chunk.weight, bias: nil, into: dx, scratch: chunk.columns) }
                return
            }
            if how == .direct {
                chunk.direct!.backwardWeights(chunk.input, outputGradient: dy, addingTo: chunk.weightGradient, biasGradient: chunk.biasGradient)
                if let dx = chunk.written { chunk.direct!.backwardData(dy, weight: chunk.weight, into: dx) }
                return
            }
            g.im2col(chunk.input, batch: b, into: chunk.columns)
            // ∂Y of the chunk as [Cout, b·L]: one image's gradient already is.
            if b > 1 { ChannelLayout.channelsFirst(dy, batch: b, channels: cout, length: L, into: chunk.matrix) }
            let dY = b == 1 ? dy : UnsafePointer(chunk.matrix)
            ChannelBias.accumulateGradient(dy, into: chunk.biasGradient, batch: b, channels: cout, length: L)
            BLAS.sgemm(.none, .transposed, m: cout, n: g.patchSize, k: b * L, a: dY, b: chunk.columns, beta: 1, c: chunk.weightGradient)
            guard let dx = chunk.written else { return }
            BLAS.sgemm(.transposed, .none, m: g.patchSize, n: b * L, k: cout, a: chunk.weight, b: dY, c: chunk.columns)
            g.col2im(chunk.columns, batch: b, into: dx)
        }
        return how == .direct ? inputGradient : laidOut(inputGradient, blocked: inputBlocked)
    }
}
