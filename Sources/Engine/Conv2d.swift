/// 2-D convolution (cross-correlation) with a square kernel, as PyTorch's `nn.Conv2d`,
/// computed as im2col + sgemm on chunks of the batch that stay in cache (`BatchChunks`).
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

    /// Input `[N, Cin, H, W]` → output `[N, Cout, Ho, Wo]`: per chunk of b images,
    /// cols = im2col(x) `[Cin·k², b·L]`, y = W·cols + b (L = Ho·Wo).
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inputChannels,
                     "Conv2d(\(inputChannels)→\(outputChannels)) got input \(input.shape)")
        let g = ConvGeometry(channels: inputChannels, height: input.shape[2], width: input.shape[3],
                             kernel: kernel, stride: stride, padding: padding)
        let plan = remember(input, geometry: g, columnsPerImage: g.patchSize * g.positions, positions: g.positions)
        let (L, cout, inPlane) = (g.positions, outputChannels, inputChannels * g.height * g.width)
        var output = Tensor(shape: [input.shape[0], cout, g.outHeight, g.outWidth])
        input.scalars.withUnsafeBufferPointer { x in
            weight.value.scalars.withUnsafeBufferPointer { w in
                bias.value.scalars.withUnsafeBufferPointer { bias in
                    output.scalars.withUnsafeMutableBufferPointer { y in
                        let (x, w, bias, y) = (x.baseAddress!, w.baseAddress!, bias.baseAddress!, UncheckedSendable(y.baseAddress!))
                        plan.run { worker, images in
                            let s = scratch[worker], b = images.count
                            s.columns.withUnsafeMutableBufferPointer { cols in
                                s.matrix.withUnsafeMutableBufferPointer { product in
                                    g.im2col(x + images.lowerBound * inPlane, batch: b, into: cols.baseAddress!)
                                    let out = y.value + images.lowerBound * cout * L
                                    // One image's [Cout, L] product is already its NCHW output.
                                    let target = b == 1 ? out : product.baseAddress!
                                    BLAS.sgemm(.none, .none, m: cout, n: b * L, k: g.patchSize, a: w, b: cols.baseAddress!, c: target)
                                    if b > 1 { ChannelLayout.batchFirst(product.baseAddress!, batch: b, channels: cout, length: L, into: out) }
                                    ChannelBias.add(bias, to: out, batch: b, channels: cout, length: L)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// ∂W += ∂Y·colsᵀ, ∂b += Σ ∂y; returns ∂x `[N, Cin, H, W]` = col2im(Wᵀ·∂Y). The columns are
    /// unfolded again per chunk rather than kept from forward: recomputing them in cache is
    /// cheaper than streaming a whole batch's columns back from memory.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let (g, input, plan) = lastForward(checking: outputGradient) { g, n in [n, outputChannels, g.outHeight, g.outWidth] }
        let (L, cout, inPlane) = (g.positions, outputChannels, inputChannels * g.height * g.width)
        let needsInput = needsInputGradient
        var inputGradient = Tensor(shape: needsInput ? input.shape : [0])
        ConvolutionScratch.zeroGradients(scratch, workers: plan.workers, weights: weight.value.count, biases: cout)
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        let (x, dy, w, dx) = (x.baseAddress!, dy.baseAddress!, w.baseAddress!, UncheckedSendable(dx.baseAddress))
                        plan.run { worker, images in
                            let s = scratch[worker], b = images.count
                            s.columns.withUnsafeMutableBufferPointer { cols in
                                s.matrix.withUnsafeMutableBufferPointer { matrix in
                                    let cols = cols.baseAddress!, chunkGradient = dy + images.lowerBound * cout * L
                                    g.im2col(x + images.lowerBound * inPlane, batch: b, into: cols)
                                    // ∂Y of the chunk as [Cout, b·L]: one image's gradient already is.
                                    let dY = b == 1 ? UnsafePointer(chunkGradient) : UnsafePointer(matrix.baseAddress!)
                                    if b > 1 { ChannelLayout.channelsFirst(chunkGradient, batch: b, channels: cout, length: L, into: matrix.baseAddress!) }
                                    s.biasGradient.withUnsafeMutableBufferPointer { db in
                                        ChannelBias.accumulateGradient(chunkGradient, into: db.baseAddress!, batch: b, channels: cout, length: L)
                                    }
                                    s.weightGradient.withUnsafeMutableBufferPointer { dw in
                                        BLAS.sgemm(.none, .transposed, m: cout, n: g.patchSize, k: b * L, a: dY, b: cols, beta: 1, c: dw.baseAddress!)
                                    }
                                    guard needsInput, let dx = dx.value else { return }
                                    BLAS.sgemm(.transposed, .none, m: g.patchSize, n: b * L, k: cout, a: w, b: dY, c: cols)
                                    g.col2im(cols, batch: b, into: dx + images.lowerBound * inPlane)
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
