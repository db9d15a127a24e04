/// 2-D transposed convolution with a square kernel, as PyTorch's `nn.ConvTranspose2d`
/// (the adjoint of Conv2d with the same kernel, stride and padding), computed by oneDNN's
/// convolutions (`DirectConvolution`, with the passes swapped), the engine's own for a one-channel
/// output of an input linked in nChw8c (`SingleChannelConvolution`), or im2col + sgemm, on chunks
/// of the batch shared among the cores (`BatchChunks`).
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with
/// Ho = (H − 1)·s − 2p + k + output_padding, `weight` `[Cin, Cout, k, k]`, `bias` `[Cout]`.
/// Forward: y = col2im(Wᵀ·X) + b; backward: ∂X = W·im2col(∂y), ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y.
/// As a Conv2d from Cout to Cin channels with the same weight memory `[Cin, Cout, k, k]`: forward
/// is that convolution's ∂x, ∂X its forward, ∂W its ∂W with ∂y as the source.
public final class ConvTranspose2d: ConvolutionLayer, InputGradientOptional {
    public let outputPadding: Int

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

    /// The pass's chunks and algorithm for `batch` images; `g` is the geometry of the Conv2d this
    /// layer is the adjoint of (its source is this layer's output).
    private func plan(_ algorithm: ConvolutionAlgorithm, batch: Int, _ g: ConvGeometry, dataPass: Bool)
        -> (chunks: BatchChunks, algorithm: ConvolutionAlgorithm, own: SingleChannelConvolution?) {
        let kind = DirectConvolution.Kind(source: g, outputChannels: inputChannels, sourceBlocked: outputBlocked, destinationBlocked: inputBlocked)
        return plan(algorithm, batch: batch, kind: kind, dataPass: dataPass, columnsPerImage: g.patchSize * g.positions, positions: g.positions)
    }

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`: per chunk of b images, oneDNN's
    /// backward-data pass of the adjoint Conv2d, or cols = Wᵀ·X `[Cout·k², b·H·W]`,
    /// y = col2im(cols); then y += b. A one-channel output of a blocked input takes the engine's
    /// kernels (`SingleChannelConvolution.gather`); other outputs of under 8 channels the im2col
    /// path (`DirectConvolution.backwardDataMinimumChannels`).
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "ConvTranspose2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let (h, w) = (input.shape[2], input.shape[3])
        let size = outputSize(height: h, width: w)
        // The output plays the part of a Conv2d input whose output is this layer's input.
        let g = ConvGeometry(channels: outputChannels, height: size.height, width: size.width,
                             kernel: kernel, stride: stride, padding: padding)
        precondition(g.outHeight == h && g.outWidth == w, "ConvTranspose2d geometry mismatch")
        remember(input, geometry: g)
        let (plan, how, own) = plan(algorithm, batch: input.shape[0], g, dataPass: true)
        let (L, cin, outLength) = (h * w, inputChannels, size.height * size.width)
        // oneDNN writes every output element; col2im adds into them.
        let shape = [input.shape[0], outputChannels, size.height, size.width]
        var output = how == .direct ? Tensor.unfilled(shape: shape) : Tensor(shape: shape)
        let planes = ChunkPlanes(input: cin * L, outputGradient: 0, written: outputChannels * outLength)
        forEachChunk(plan: plan, input: input, outputGradient: nil, written: &output.scalars, planes: planes) { chunk in
            let (b, out) = (chunk.count, chunk.written!)
            if let own {
                own.gather(chunk.input, batch: b, weight: chunk.weight, bias: chunk.bias, into: out, scratch: chunk.columns)
                return
            }
            if how == .direct {
                chunk.direct!.backwardData(chunk.input, weight: chunk.weight, into: out)
                if outputBlocked {
                    ChannelBlocks.addBias(chunk.bias, to: out, batch: b, channels: outputChannels, length: outLength, rectify: rectifiesOutput)
                    return
                }
            } else {
                // X of the chunk as [Cin, b·L]: one NCHW image's input already is. A linked
                // (blocked) input is rearranged here, chunk by chunk on the workers.
                if inputBlocked {
                    ChannelBlocks.channelsFirst(chunk.input, batch: b, channels: cin, length: L, into: chunk.matrix)
                } else if b > 1 {
                    ChannelLayout.channelsFirst(chunk.input, batch: b, channels: cin, length: L, into: chunk.matrix)
                }
                BLAS.sgemm(.transposed, .none, m: g.patchSize, n: b * L, k: cin, a: chunk.weight,
                           b: b == 1 && !inputBlocked ? chunk.input : UnsafePointer(chunk.matrix), c: chunk.columns)
                g.col2im(chunk.columns, batch: b, into: out)
            }
            ChannelBias.add(chunk.bias, to: out, batch: b, channels: outputChannels, length: outLength)
            if rectifiesOutput { rectify(out, count: b * outputChannels * outLength) }
        }
        return how == .direct ? output : laidOut(output, blocked: outputBlocked)
    }

    /// ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = W·im2col(∂y) — by oneDNN,
    /// the adjoint Conv2d's forward and ∂W passes with ∂y as their source, or for a one-channel
    /// output of a blocked input by the engine's kernels (`SingleChannelConvolution`).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, saved) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.height, g.width] }
        let (plan, how, own) = plan(algorithm, batch: saved.shape[0], g, dataPass: false)
        let (input, outputGradient) = how == .direct ? (saved, outputGradient)
            : (plain(saved, blocked: inputBlocked), plain(outputGradient, blocked: outputBlocked))
        let (L, cin, cout, outLength) = (g.positions, inputChannels, outputChannels, g.height * g.width)
        // Both algorithms write every element of ∂x.
        var inputGradient = Tensor.unfilled(shape: needsInputGradient ? input.shape : [0])
        let planes = ChunkPlanes(input: cin * L, outputGradient: cout * outLength, written: cin * L)
        forEachChunk(plan: plan, input: input, outputGradient: outputGradient, written: &inputGradient.scalars, planes: planes,
                     bodyMasks: own != nil) { chunk in
            let (b, dy) = (chunk.count, chunk.outputGradient!)
            if how == .direct && outputBlocked {
                ChannelBlocks.accumulateBiasGradient(dy, into: chunk.biasGradient, batch: b, channels: cout, length: outLength)
            } else {
                ChannelBias.accumulateGradient(dy, into: chunk.biasGradient, batch: b, channels: cout, length: outLength)
            }
            if let own {
                if let dx = chunk.written {
                    own.weightsAndSpread(image: dy, tensor: chunk.input, batch: b, addingTo: chunk.weightGradient, weight: chunk.weight,
                                         masked: masksInputGradient, into: dx, scratch: chunk.columns)
                } else {
                    own.weights(image: dy, tensor: chunk.input, batch: b, addingTo: chunk.weightGradient, biasGradient: nil, scratch: chunk.columns)
                }
                return
            }
            if how == .direct {
                // The adjoint's bias gradient would be Σ X, not this layer's: it is summed above.
                chunk.direct!.backwardWeights(dy, outputGradient: chunk.input, addingTo: chunk.weightGradient, biasGradient: nil)
                if let dx = chunk.written { chunk.direct!.forward(dy, weight: chunk.weight, bias: nil, into: dx) }
                return
            }
            g.im2col(dy, batch: b, into: chunk.columns)
            if b > 1 { ChannelLayout.channelsFirst(chunk.input, batch: b, channels: cin, length: L, into: chunk.matrix) }
            BLAS.sgemm(.none, .transposed, m: cin, n: g.patchSize, k: b * L, a: b == 1 ? chunk.input : UnsafePointer(chunk.matrix), b: chunk.columns,
                       beta: 1, c: chunk.weightGradient)
            guard let dx = chunk.written else { return }
            // One image's [Cin, L] product is already its NCHW gradient (the matrix is free again).
            BLAS.sgemm(.none, .none, m: cin, n: b * L, k: g.patchSize, a: chunk.weight, b: chunk.columns, c: b == 1 ? dx : chunk.matrix)
            if b > 1 { ChannelLayout.batchFirst(chunk.matrix, batch: b, channels: cin, length: L, into: dx) }
        }
        return how == .direct ? inputGradient : laidOut(inputGradient, blocked: inputBlocked)
    }
}
