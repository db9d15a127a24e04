/// The memory one worker's chunk of a convolution pass touches, as raw pointers: the pass's
/// tensors at the chunk's first image, and the worker's own scratch. Valid only inside the
/// closure given to `ConvolutionLayer.forEachChunk`.
struct ConvolutionChunk {
    /// Images in the chunk.
    let count: Int
    /// The pass's input `[N, Cin, …]` at the chunk's first image.
    let input: UnsafePointer<Float>
    /// ∂output at the chunk's first image (backward); nil in forward.
    let outputGradient: UnsafePointer<Float>?
    /// What the pass writes at the chunk's first image: the output (forward) or ∂input (backward;
    /// nil when the layer needs no input gradient).
    let written: UnsafeMutablePointer<Float>?
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    /// The worker's oneDNN convolution for chunks of this size (direct passes; nil in im2col passes).
    let direct: DirectConvolution?
    /// The worker's column matrix and channels-first matrix (sized for a chunk in im2col passes).
    let columns: UnsafeMutablePointer<Float>
    let matrix: UnsafeMutablePointer<Float>
    /// The worker's shares of ∂weight and ∂bias (summed into the parameters after a backward pass).
    let weightGradient: UnsafeMutablePointer<Float>
    let biasGradient: UnsafeMutablePointer<Float>
}

/// Floats per image of a pass's three batched tensors.
struct ChunkPlanes {
    var input: Int, outputGradient: Int, written: Int
}

extension ConvolutionLayer {
    /// Runs `body` on every chunk of the batch, the chunks shared among the workers
    /// (`BatchChunks.run`); the one place the layers' arrays become pointers. A backward pass
    /// (`outputGradient` given) starts each worker's gradient shares at zero and adds them into
    /// the parameters' gradients afterwards, and applies a fused ReLU's mask to each chunk's ∂x
    /// (`masksInputGradient`; `input` and ∂x are then in the same layout) unless `bodyMasks`: the
    /// body's kernel applies it as it writes ∂x.
    func forEachChunk(plan: BatchChunks, input: Tensor, outputGradient: Tensor?, written: inout [Float], planes: ChunkPlanes,
                      bodyMasks: Bool = false, _ body: (ConvolutionChunk) -> Void) {
        let backward = outputGradient != nil
        if backward { ConvolutionScratch.zeroGradients(scratch, workers: plan.workers) }
        let dy = outputGradient ?? Tensor(shape: [0])
        input.scalars.withUnsafeBufferPointer { x in
            dy.scalars.withUnsafeBufferPointer { dy in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    bias.value.scalars.withUnsafeBufferPointer { b in
                        written.withUnsafeMutableBufferPointer { out in
                            let (x, w, b, dy) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, backward ? dy.baseAddress : nil)
                            // An empty array may still hand out a base address: no input gradient means none.
                            let out = UncheckedSendable(out.isEmpty ? nil : out.baseAddress)
                            plan.run { worker, images in
                                let s = scratch[worker], first = images.lowerBound
                                s.columns.withUnsafeMutableBufferPointer { columns in
                                    s.matrix.withUnsafeMutableBufferPointer { matrix in
                                        s.weightGradient.scalars.withUnsafeMutableBufferPointer { dw in
                                            s.biasGradient.scalars.withUnsafeMutableBufferPointer { db in
                                                body(ConvolutionChunk(
                                                    count: images.count, input: x + first * planes.input,
                                                    outputGradient: dy.map { $0 + first * planes.outputGradient },
                                                    written: out.value.map { $0 + first * planes.written }, weight: w, bias: b,
                                                    direct: s.direct[images.count],
                                                    columns: columns.baseAddress!, matrix: matrix.baseAddress!,
                                                    weightGradient: dw.baseAddress!, biasGradient: db.baseAddress!))
                                                // A fused ReLU's backward half, while the chunk's ∂x is in cache.
                                                if backward && masksInputGradient && !bodyMasks, let dx = out.value {
                                                    mask(dx + first * planes.written, input: x + first * planes.input, count: images.count * planes.written)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if backward { ConvolutionScratch.accumulate(scratch, workers: plan.workers, into: weight, bias) }
    }
}
