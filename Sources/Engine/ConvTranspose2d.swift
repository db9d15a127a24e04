/// 2-D transposed convolution with a square kernel, as PyTorch's `nn.ConvTranspose2d`
/// (the adjoint of Conv2d with the same kernel, stride and padding), computed on chunks of the
/// batch that stay in cache (`BatchChunks`).
///
/// Shapes: input `[N, Cin, H, W]`, output `[N, Cout, Ho, Wo]` with
/// Ho = (H − 1)·s − 2p + k + output_padding, `weight` `[Cin, Cout, k, k]`, `bias` `[Cout]`.
/// Forward: y = col2im(Wᵀ·X) + b; backward: ∂X = W·im2col(∂y), ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y.
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

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`: per chunk of b images,
    /// cols = Wᵀ·X `[Cout·k², b·H·W]`, y = col2im(cols) + b.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "ConvTranspose2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let (h, w) = (input.shape[2], input.shape[3])
        let size = outputSize(height: h, width: w)
        // The output plays the part of a Conv2d input whose output is this layer's input.
        let g = ConvGeometry(channels: outputChannels, height: size.height, width: size.width,
                             kernel: kernel, stride: stride, padding: padding)
        precondition(g.outHeight == h && g.outWidth == w, "ConvTranspose2d geometry mismatch")
        let L = h * w, cin = inputChannels, outPlane = outputChannels * size.height * size.width
        let plan = remember(input, geometry: g, columnsPerImage: g.patchSize * L, positions: L)
        var output = Tensor(shape: [input.shape[0], outputChannels, size.height, size.width])
        input.scalars.withUnsafeBufferPointer { x in
            weight.value.scalars.withUnsafeBufferPointer { wt in
                bias.value.scalars.withUnsafeBufferPointer { bias in
                    output.scalars.withUnsafeMutableBufferPointer { y in
                        let (x, wt, bias, y) = (x.baseAddress!, wt.baseAddress!, bias.baseAddress!, UncheckedSendable(y.baseAddress!))
                        plan.run { worker, images in
                            let s = scratch[worker], b = images.count
                            s.columns.withUnsafeMutableBufferPointer { cols in
                                s.matrix.withUnsafeMutableBufferPointer { matrix in
                                    let chunk = x + images.lowerBound * cin * L
                                    // X of the chunk as [Cin, b·L]: one image's input already is.
                                    let xMatrix = b == 1 ? chunk : UnsafePointer(matrix.baseAddress!)
                                    if b > 1 { ChannelLayout.channelsFirst(chunk, batch: b, channels: cin, length: L, into: matrix.baseAddress!) }
                                    BLAS.sgemm(.transposed, .none, m: g.patchSize, n: b * L, k: cin, a: wt, b: xMatrix, c: cols.baseAddress!)
                                    let out = y.value + images.lowerBound * outPlane
                                    g.col2im(cols.baseAddress!, batch: b, into: out)
                                    ChannelBias.add(bias, to: out, batch: b, channels: outputChannels, length: size.height * size.width)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// ∂W += X·im2col(∂y)ᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = W·im2col(∂y).
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, input, plan) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.height, g.width] }
        let L = g.positions, cin = inputChannels, cout = outputChannels, outPlane = cout * g.height * g.width
        let needsInput = needsInputGradient
        var inputGradient = Tensor(shape: needsInput ? input.shape : [0])
        ConvolutionScratch.zeroGradients(scratch, workers: plan.workers, weights: weight.value.count, biases: cout)
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                weight.value.scalars.withUnsafeBufferPointer { wt in
                    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        let (x, dy, wt, dx) = (x.baseAddress!, dy.baseAddress!, wt.baseAddress!, UncheckedSendable(dx.baseAddress))
                        plan.run { worker, images in
                            let s = scratch[worker], b = images.count
                            s.columns.withUnsafeMutableBufferPointer { cols in
                                s.matrix.withUnsafeMutableBufferPointer { matrix in
                                    let cols = cols.baseAddress!, matrix = matrix.baseAddress!
                                    let chunkGradient = dy + images.lowerBound * outPlane
                                    g.im2col(chunkGradient, batch: b, into: cols)
                                    s.biasGradient.withUnsafeMutableBufferPointer { db in
                                        ChannelBias.accumulateGradient(chunkGradient, into: db.baseAddress!, batch: b, channels: cout,
                                                                       length: g.height * g.width)
                                    }
                                    let chunk = x + images.lowerBound * cin * L
                                    let xMatrix = b == 1 ? chunk : UnsafePointer(matrix)
                                    if b > 1 { ChannelLayout.channelsFirst(chunk, batch: b, channels: cin, length: L, into: matrix) }
                                    s.weightGradient.withUnsafeMutableBufferPointer { dw in
                                        BLAS.sgemm(.none, .transposed, m: cin, n: g.patchSize, k: b * L, a: xMatrix, b: cols, beta: 1, c: dw.baseAddress!)
                                    }
                                    guard needsInput, let dx = dx.value else { return }
                                    let target = dx + images.lowerBound * cin * L
                                    // One image's [Cin, L] product is already its NCHW gradient.
                                    BLAS.sgemm(.none, .none, m: cin, n: b * L, k: g.patchSize, a: wt, b: cols, c: b == 1 ? target : matrix)
                                    if b > 1 { ChannelLayout.batchFirst(matrix, batch: b, channels: cin, length: L, into: target) }
                                }
                            }
                        }
                    }
                }
            }
        }
        ConvolutionScratch.accumulate(scratch, workers: plan.workers, into: weight, bias)
        return inputGradient
    }
}
